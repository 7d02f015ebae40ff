"""Issue 22 §2, §3: likes (one per reader, the cached page right at once, best first,
collapse) and pinned comments."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from broadsheet.discussion.models import Comment, CommentLike, DiscussionSettings
from broadsheet.discussion.readers import READER_COOKIE
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory, approved_comment

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps and Ledgers", authors=[author])


def _count(comment: Comment) -> int:
    return Comment.objects.get(pk=comment.pk).like_count


def _settings(**values: Any) -> None:
    current = DiscussionSettings.current()
    for name, value in values.items():
        setattr(current, name, value)
    current.save()


def test_a_like_without_javascript_comes_back_to_the_comment(client: Client, post: Post) -> None:
    comment = approved_comment(post)
    response = client.post(f"/comment/{comment.pk}/like/")
    assert response.status_code == 302
    assert (
        response["Location"] == f"{post.get_absolute_url()}?liked={comment.pk}#comment-{comment.pk}"
    )
    assert READER_COOKIE in response.cookies
    assert _count(comment) == 1


def test_a_reader_likes_once_and_repeats_change_nothing(client: Client, post: Post) -> None:
    comment = approved_comment(post)
    for _ in range(3):
        response = client.post(f"/comment/{comment.pk}/like/", **FETCH)
        assert response.json() == {"ok": True, "count": 1}
    assert _count(comment) == 1 and CommentLike.objects.count() == 1


def test_one_like_per_address_for_guests_without_the_cookie(post: Post) -> None:
    comment = approved_comment(post)
    for _ in range(3):
        Client().post(f"/comment/{comment.pk}/like/")  # a fresh cookie each time
    assert _count(comment) == 1


@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_readers_at_different_addresses_each_count(post: Post) -> None:
    comment = approved_comment(post)
    for n in range(4):
        Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").post(f"/comment/{comment.pk}/like/")
    assert _count(comment) == 4


def test_accounts_like_by_account(post: Post) -> None:
    comment = approved_comment(post)
    for name in ("one", "two"):
        reader = Client(enforce_csrf_checks=False)
        reader.force_login(AuthorFactory(username=name))
        reader.post(f"/comment/{comment.pk}/like/")
        reader.post(f"/comment/{comment.pk}/like/")
    assert _count(comment) == 2


@pytest.mark.parametrize("forged", ["0", "999999", "abc"])
def test_forged_likes_are_404s(client: Client, post: Post, forged: str) -> None:
    held = approved_comment(post, status="pending")
    for pk in (forged, str(held.pk)):
        response = client.post(f"/comment/{pk}/like/")
        assert response.status_code in (404, 405)  # "abc" is no comment's address
    assert _count(held) == 0


def test_a_like_from_another_site_is_refused(client: Client, post: Post) -> None:
    comment = approved_comment(post)
    response = client.post(f"/comment/{comment.pk}/like/", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and _count(comment) == 0


@pytest.mark.django_db(transaction=True)  # the page cache's versions change on commit
def test_the_cached_page_shows_the_new_count_to_the_next_reader(post: Post, settings: Any) -> None:
    settings.PAGE_CACHE = True
    comment = approved_comment(post)
    first = Client().get(post.get_absolute_url()).content.decode()
    # No likes yet: comments.js adds the button (the list says likes are on); the page
    # writes it, with its count, once the comment has likes (decision 0111).
    assert '<ol class="comment-list" data-likes>' in first
    assert f'action="/comment/{comment.pk}/like/"' not in first
    Client().post(f"/comment/{comment.pk}/like/")
    again = Client().get(post.get_absolute_url()).content.decode()
    assert '<span class="like-count">1</span>' in again


def test_best_first_orders_threads_by_likes(client: Client, post: Post) -> None:
    _settings(comment_order="best")
    old = approved_comment(post, name="Old Few", body="Oldest, few likes.")
    liked = approved_comment(post, name="New Many", body="Newer, liked.")
    Comment.objects.filter(pk=liked.pk).update(like_count=5)
    html = client.get(post.get_absolute_url()).content.decode()
    assert html.index("Newer, liked.") < html.index("Oldest, few likes.")
    _settings(comment_order="asc")
    html = client.get(post.get_absolute_url()).content.decode()
    assert html.index("Oldest, few likes.") < html.index("Newer, liked.")
    assert old.pk


def test_best_first_with_pages_orders_in_the_query(client: Client, post: Post) -> None:
    _settings(comment_order="best", page_comments=True, comments_per_page=1,
              default_comments_page="oldest")  # fmt: skip
    approved_comment(post, name="Old Few", body="Oldest, few likes.")
    liked = approved_comment(post, name="New Many", body="Newer, liked.")
    Comment.objects.filter(pk=liked.pk).update(like_count=5)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Newer, liked." in html and "Oldest, few likes." not in html


def test_collapsed_below_a_score_in_best_order(client: Client, post: Post) -> None:
    _settings(comment_order="best", collapse_below=2)
    approved_comment(post, body="Nobody liked this.")
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<details class="comment-collapse">' in html and "Nobody liked this." in html


def test_the_author_pins_a_comment(client: Client, post: Post, author: Any) -> None:
    first = approved_comment(post, name="Early Bird", body="First.")
    later = approved_comment(post, name="Late Owl", body="The best answer.")
    client.force_login(author)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'action="/comment/{later.pk}/pin/"' in page
    response = client.post(f"/comment/{later.pk}/pin/", {"pin": "1"})
    assert response.status_code == 302
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "Pinned by the author" in html
    assert html.index("The best answer.") < html.index("First.")
    client.post(f"/comment/{later.pk}/pin/", {"pin": "0"})
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "Pinned by" not in html and html.index("First.") < html.index("The best answer.")
    assert first.pk


def test_readers_cannot_pin_and_see_no_pin_button(post: Post) -> None:
    comment = approved_comment(post)
    reader = Client()
    reader.force_login(AuthorFactory(username="reader"))
    assert "/pin/" not in reader.get(post.get_absolute_url()).content.decode()
    assert reader.post(f"/comment/{comment.pk}/pin/", {"pin": "1"}).status_code == 403
    assert Client().post(f"/comment/{comment.pk}/pin/", {"pin": "1"}).status_code in (403, 404)
    assert Comment.objects.get(pk=comment.pk).pinned_at is None


def test_at_most_a_few_pins_per_post(client: Client, post: Post, author: Any) -> None:
    _settings(max_pinned=1)
    one, two = approved_comment(post, name="A One"), approved_comment(post, name="B Two")
    client.force_login(author)
    client.post(f"/comment/{one.pk}/pin/", {"pin": "1"})
    response = client.post(f"/comment/{two.pk}/pin/", {"pin": "1"})
    assert response.status_code == 409 and "At most 1" in response.content.decode()


def test_essay_likes_when_the_site_counts_them(client: Client, post: Post) -> None:
    assert "post-like" not in client.get(post.get_absolute_url()).content.decode()
    _settings(post_likes=True)
    client.post(f"/post-like/{post.pk}/")
    client.post(f"/post-like/{post.pk}/")
    html = Client().get(post.get_absolute_url()).content.decode()
    assert 'Like this essay <span class="like-count">1</span>' in html
