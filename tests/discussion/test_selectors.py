"""Threading, paging and permalinks, and a page cost that does not grow with the discussion."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.addresses import comment_address
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.selectors import comment_page_for_post
from broadsheet.publishing.additions import post_mark
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps", authors=[author])


def _paged(per_page: int = 2, first: str = "oldest", order: str = "asc") -> DiscussionSettings:
    settings = DiscussionSettings.current()
    settings.page_comments, settings.comments_per_page = True, per_page
    settings.default_comments_page, settings.comment_order = first, order
    settings.save()
    return settings


def test_threads_come_back_as_a_tree_in_order(post: Post) -> None:
    a = approved_comment(post, body="A")
    b = approved_comment(post, body="B")
    a1 = approved_comment(post, parent=a, body="A1")
    a1x = approved_comment(post, parent=a1, body="A1x")
    page = comment_page_for_post(post=post, page=None, settings=DiscussionSettings.current())
    assert [n.pk for n in page.roots] == [a.pk, b.pk]
    assert [n.pk for n in page.children[a.pk]] == [a1.pk]
    assert [n.pk for n in page.children[a1.pk]] == [a1x.pk]
    assert b.pk not in page.children and a1x.pk not in page.children
    assert [n.pk for n in page.in_order] == [a.pk, a1.pk, a1x.pk, b.pk]
    assert page.shown == 4 and page.count == 1


def test_hidden_comments_hide_their_replies_but_a_deleted_one_keeps_them(post: Post) -> None:
    pending = approved_comment(post, status=Comment.Status.PENDING)
    approved_comment(post, parent=pending, body="orphan")
    removed = approved_comment(post, removed=True, body="")
    kept = approved_comment(post, parent=removed, body="kept")
    page = comment_page_for_post(post=post, page=None, settings=DiscussionSettings.current())
    assert [n.pk for n in page.roots] == [removed.pk]
    assert [n.pk for n in page.children[removed.pk]] == [kept.pk]
    assert [n.pk for n in page.in_order] == [removed.pk, kept.pk]


def test_a_pending_comment_is_shown_to_its_author_only(post: Post) -> None:
    pending = approved_comment(post, status=Comment.Status.PENDING)
    settings = DiscussionSettings.current()
    assert comment_page_for_post(post=post, page=None, settings=settings).shown == 0
    assert (
        comment_page_for_post(
            post=post, page=None, settings=settings, pending_ids={pending.pk}
        ).shown
        == 1
    )


def test_paging_by_top_level_threads_newest_page_first(post: Post) -> None:
    settings = _paged(per_page=2, first="newest")
    tops = [approved_comment(post, body=str(i)) for i in range(5)]
    approved_comment(post, parent=tops[0], body="reply on page one")
    default = comment_page_for_post(post=post, page=None, settings=settings)
    assert (default.number, default.count, default.default) == (3, 3, 3)
    assert [n.pk for n in default.roots] == [tops[4].pk]
    first = comment_page_for_post(post=post, page=1, settings=settings)
    assert [n.pk for n in first.roots] == [tops[0].pk, tops[1].pk]
    assert first.shown == 3  # the reply travels with its thread


def test_descending_order_within_a_page(post: Post) -> None:
    settings = _paged(per_page=3, first="oldest", order="desc")
    tops = [approved_comment(post, body=str(i)) for i in range(3)]
    page = comment_page_for_post(post=post, page=None, settings=settings)
    assert [n.pk for n in page.roots] == [tops[2].pk, tops[1].pk, tops[0].pk]


def test_an_out_of_range_page_falls_back_to_the_default(post: Post) -> None:
    settings = _paged(per_page=2)
    approved_comment(post)
    assert comment_page_for_post(post=post, page=99, settings=settings).number == 1


def test_the_page_of_a_deep_reply_is_its_threads_page(post: Post) -> None:
    settings = _paged(per_page=2)
    tops = [approved_comment(post, body=str(i)) for i in range(5)]
    deep = approved_comment(post, parent=approved_comment(post, parent=tops[4]))
    assert comment_address(comment=deep, settings=settings).endswith(
        f"/comment-page-3/#comment-{deep.pk}"
    )
    assert comment_address(comment=tops[2], settings=settings).endswith(
        f"/comment-page-2/#comment-{tops[2].pk}"
    )


def _thread(post: Post, comments: int) -> None:
    """Threads of replies to replies, five levels deep, `comments` in all."""
    made = 0
    while made < comments:
        parent = approved_comment(post, body=f"top {made}")
        made += 1
        for _ in range(4):
            if made >= comments:
                break
            parent = approved_comment(post, parent=parent, body=f"reply {made}")
            made += 1


@pytest.mark.parametrize("paged", [False, True])
def test_the_post_page_costs_the_same_queries_with_2_and_2000_comments(
    client: Client, author: Any, paged: bool, django_assert_num_queries: Any
) -> None:
    if paged:
        _paged(per_page=50)
    small = PostFactory(slug="small", authors=[author])
    big = PostFactory(slug="big", authors=[author])
    _thread(small, 2)
    _thread(big, 2000)
    client.get(small.get_absolute_url())  # steady state: settings cached
    # The threads come as stored cards; the first few approved comments' names, dates and
    # words are read for the page's JSON-LD (one more query, whatever the size of the
    # discussion). The header's menu comes from the cache.
    with django_assert_num_queries(11 if paged else 9) as small_run:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_num_queries(len(small_run.captured_queries)):
        response = client.get(big.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('<li id="comment-') == (250 if paged else 2000)
    # Marked as having them (publishing.additions), the passages with responses for the
    # margin, the published corrections, the shown context notes and the likes and reposts
    # from other sites are read too: one query each, whatever their number.
    for name in ("anchored", "corrections", "notes", "webmention"):
        post_mark(Post.objects.filter(pk__in=[small.pk, big.pk]).values("pk"), name)
    with django_assert_num_queries(15 if paged else 13):
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_num_queries(15 if paged else 13):
        assert client.get(big.get_absolute_url()).status_code == 200


def test_comment_dates_read_as_wordpress_writes_them(post: Post) -> None:
    """PHP's "F j, Y \\a\\t g:i a": "March 4, 2026 at 12:07 am" (Django's "a" would give "a.m.")."""
    from datetime import datetime

    from django.utils import timezone

    from broadsheet.discussion.rendering import comment_date

    expected = {0: "12:07 am", 9: "9:07 am", 12: "12:07 pm", 18: "6:07 pm", 23: "11:07 pm"}
    for hour, clock in expected.items():
        comment = approved_comment(
            post, created_at=timezone.make_aware(datetime(2026, 3, 4, hour, 7))
        )
        assert comment_date(comment) == f"March 4, 2026 at {clock}"
