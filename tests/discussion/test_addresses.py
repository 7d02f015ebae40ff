"""One address per comment: the page of its post's discussion that shows it, plus #comment-N.
Feeds, JSON-LD, microformats, emails, the moderation queue and /comment/N/ all give it, and
following it lands on a page that shows the comment — with paging on, in both orders, with
either page shown by default."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import feedparser
import mf2py
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from broadsheet.discussion.addresses import comment_address, comment_addresses
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.notifications.models import OutgoingEmail
from broadsheet.notifications.services import notify_comment
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory, approved_comment

pytestmark = pytest.mark.django_db

PER_PAGE = 3
THREADS = 8  # pages of 3, 3 and 2 threads


def _paging(*, first: str, order: str, on: bool = True) -> DiscussionSettings:
    current = DiscussionSettings.current()
    current.page_comments, current.comments_per_page = on, PER_PAGE
    current.default_comments_page, current.comment_order = first, order
    current.minimum_seconds_on_page = 0
    current.save()
    return current


def _discussion(post: Post) -> list[Comment]:
    """THREADS threads, oldest first, each with a reply and a reply to that."""
    start = timezone.now() - timedelta(days=1)
    made: list[Comment] = []
    for n in range(THREADS):
        at = start + timedelta(minutes=10 * n)
        top = approved_comment(post, body=f"Thread {n}.", created_at=at)
        reply = approved_comment(
            post, parent=top, body=f"Reply {n}.", created_at=at + timedelta(hours=2)
        )
        deeper = approved_comment(
            post, parent=reply, body=f"Deeper {n}.", created_at=at + timedelta(hours=3)
        )
        made += [top, reply, deeper]
    return made


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps and Ledgers", authors=[author])


@pytest.fixture
def comments(post: Post) -> list[Comment]:
    return _discussion(post)


BOTH_WAYS = pytest.mark.parametrize(
    ("first", "order"),
    [("oldest", "asc"), ("oldest", "desc"), ("newest", "asc"), ("newest", "desc")],
)


def _path(url: str) -> str:
    return urlsplit(url)._replace(scheme="", netloc="", fragment="").geturl()


def _shows(client: Client, address: str, pk: int) -> bool:
    assert address.endswith(f"#comment-{pk}"), address
    response = client.get(_path(address))
    assert response.status_code == 200, address
    return f'id="comment-{pk}"' in response.content.decode()


@BOTH_WAYS
def test_every_comments_address_shows_it(
    client: Client, post: Post, comments: list[Comment], first: str, order: str
) -> None:
    _paging(first=first, order=order)
    addresses = comment_addresses(
        comments=Comment.objects.select_related("post"), settings=DiscussionSettings.current()
    )
    pages = {_path(address) for address in addresses.values()}
    assert len(pages) == 3  # the comments really are spread over pages
    default = 3 if first == "newest" else 1
    assert post.get_absolute_url() in pages
    assert f"{post.get_absolute_url()}comment-page-{default}/" not in pages  # one address a page
    for comment in comments:
        assert _shows(client, addresses[comment.pk], comment.pk)
    # Thread 0 is on the first page, thread 7 on the last, whatever the order within a page.
    assert _path(addresses[comments[0].pk]).endswith(
        "/" if first == "oldest" else "/comment-page-1/"
    )
    assert _path(addresses[comments[-1].pk]) == (
        post.get_absolute_url()
        if first == "newest"
        else f"{post.get_absolute_url()}comment-page-3/"
    )


def test_with_paging_off_the_address_is_the_post_itself(
    post: Post, comments: list[Comment], django_assert_num_queries: Any
) -> None:
    current = _paging(first="newest", order="asc", on=False)
    rows = list(Comment.objects.select_related("post"))
    with django_assert_num_queries(0):
        addresses = comment_addresses(comments=rows, settings=current)
    assert addresses == {c.pk: f"{post.get_absolute_url()}#comment-{c.pk}" for c in rows}


def test_a_batch_of_addresses_costs_one_query_on_any_number_of_posts(
    author: Any, django_assert_num_queries: Any
) -> None:
    current = _paging(first="newest", order="asc")
    for n in range(3):
        _discussion(PostFactory(title=f"Essay {n}", authors=[author]))
    rows = list(Comment.objects.select_related("post"))
    with django_assert_num_queries(1):
        addresses = comment_addresses(comments=rows, settings=current)
    assert len(addresses) == 3 * 3 * THREADS
    for comment in rows:
        assert addresses[comment.pk] == comment_address(
            comment=comment, settings=DiscussionSettings.current()
        )


def test_a_held_comment_is_placed_where_it_will_be_once_approved(
    client: Client, post: Post, comments: list[Comment]
) -> None:
    _paging(first="newest", order="asc")
    held = approved_comment(post, body="Held.", status=Comment.Status.PENDING)
    address = comment_address(comment=held, settings=DiscussionSettings.current())
    # A ninth thread of three per page ends the third page: the newest, the post's address.
    assert _path(address) == post.get_absolute_url()
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.APPROVED)
    assert _shows(client, address, held.pk)


@BOTH_WAYS
def test_the_posts_comments_feed_links_each_comment_to_its_page(
    client: Client, post: Post, comments: list[Comment], first: str, order: str
) -> None:
    _paging(first=first, order=order)
    for url in (f"{post.get_absolute_url()}feed/", "/comments/feed/"):
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo and feed.entries, url
        on_other_pages = 0
        for entry in feed.entries:
            pk = int(entry.link.rpartition("#comment-")[2])
            assert _shows(client, entry.link, pk), entry.link
            on_other_pages += _path(entry.link) != post.get_absolute_url()
            # The guid is WordPress's and does not move with the page.
            assert entry.id == f"{django_settings.SITE_URL}/?p={post.pk}#comment-{pk}"
        assert on_other_pages, url  # the feed does link elsewhere than the post's address


def test_the_comments_feed_changes_when_its_comments_move_to_another_page(
    client: Client, post: Post, comments: list[Comment]
) -> None:
    _paging(first="newest", order="asc")
    url = f"{post.get_absolute_url()}feed/"
    before = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    _paging(first="oldest", order="asc")  # the last page is no longer the post's own address
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


def test_a_feed_with_paging_on_costs_one_more_query(
    client: Client, post: Post, comments: list[Comment], django_assert_num_queries: Any
) -> None:
    from tests.feeds.test_feed_queries import COMMENTS_FEED, POST_COMMENTS_FEED

    _paging(first="newest", order="asc")
    client.get("/comments/feed/")  # settings reach the cache
    with django_assert_num_queries(COMMENTS_FEED + 1):
        client.get("/comments/feed/")
    with django_assert_num_queries(POST_COMMENTS_FEED + 1):
        client.get(f"{post.get_absolute_url()}feed/")


def _pages(post: Post) -> list[str]:
    return [
        post.get_absolute_url(),
        *(f"{post.get_absolute_url()}comment-page-{n}/" for n in (1, 2)),
    ]


@BOTH_WAYS
def test_json_ld_and_microformats_give_each_comment_its_address(
    client: Client, post: Post, comments: list[Comment], first: str, order: str
) -> None:
    _paging(first=first, order=order)
    addresses = comment_addresses(
        comments=Comment.objects.select_related("post"), settings=DiscussionSettings.current()
    )
    absolute = {pk: f"{django_settings.SITE_URL}{address}" for pk, address in addresses.items()}
    for path in _pages(post):
        response = client.get(path)
        if response.status_code == 302:  # the default page's own number leads to the post
            assert response["Location"] == post.get_absolute_url(), path
            continue
        html = response.content.decode()
        shown = {int(pk) for pk in re.findall(r'<li id="comment-(\d+)"', html)}
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        linked = [c["url"] for block in blocks for c in json.loads(block).get("comment", [])]
        assert linked and all(url in absolute.values() for url in linked), path
        assert {int(url.rpartition("-")[2]) for url in linked} <= shown
        # Microformats resolve the card's #comment-N against the page: its public address.
        parsed = mf2py.parse(doc=html, url=f"{django_settings.SITE_URL}{path}")
        cites = _h_cites(parsed["items"])
        assert {url for cite in cites for url in cite["properties"]["url"]} == {
            absolute[pk] for pk in shown
        }, path


def _h_cites(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in items:
        if "h-cite" in item.get("type", []):
            found.append(item)
        for values in item.get("properties", {}).values():
            found += _h_cites([v for v in values if isinstance(v, dict)])
        found += _h_cites(item.get("children", []))
    return found


def test_permalink_emails_and_queue_give_the_same_address(
    client: Client, post: Post, comments: list[Comment]
) -> None:
    _paging(first="newest", order="asc")
    author = post.authors.get()
    author.email = "margaret@example.org"
    author.save()
    early = comments[1]  # a reply on the first page, not the post's own address
    address = comment_address(comment=early, settings=DiscussionSettings.current())
    assert "comment-page-1/" in address

    response = client.get(f"/comment/{early.pk}/")
    assert response.status_code == 302 and response["Location"] == address

    notify_comment(comment_id=early.pk)
    email = OutgoingEmail.objects.get(to_address="margaret@example.org")
    assert f"{django_settings.SITE_URL}{address}" in email.text_body

    held = approved_comment(post, parent=early, body="Held.", status=Comment.Status.PENDING)
    client.force_login(AuthorFactory(username="editor", is_staff=True, is_superuser=True))
    queue = client.get("/moderation/?status=pending").content.decode()
    assert f'href="{comment_address(comment=held, settings=DiscussionSettings.current())}"' in queue
    assert "comment-page-1/" in comment_address(comment=held, settings=DiscussionSettings.current())


def test_the_written_out_numbering_agrees_with_the_orms_count(author: Any) -> None:
    """thread_places (one window-function statement) against the ORM's counting of older
    threads, on two posts, with threads written at the same instant and threads not approved."""
    from broadsheet.discussion.addresses import _held_places, thread_places

    same_moment = timezone.now() - timedelta(hours=3)
    threads: dict[int, int] = {}
    for n in range(2):
        post = PostFactory(title=f"Essay {n}", authors=[author])
        for i in range(7):
            status = Comment.Status.PENDING if i == 3 else Comment.Status.APPROVED
            at = same_moment if i in (1, 2, 4) else same_moment + timedelta(minutes=i)
            top = approved_comment(post, body=f"{n}.{i}", created_at=at, status=status)
            threads[top.pk] = post.pk
    places = thread_places(threads=threads)
    assert places == _held_places(set(threads))
    assert sorted(p.before for p in places.values())[:2] == [0, 0]
