"""The whole-page cache: anonymous readers get stored bytes without a query; each kind of
change makes stale exactly the pages that show it; personal requests never touch it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment
from broadsheet.moderation.services import comment_apply
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, approved_comment

# Versions are bumped after commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings: Any) -> None:
    settings.PAGE_CACHE = True


def hit(client: Client, url: str, **headers: Any) -> bool:
    return client.get(url, headers=headers).get("X-Page-Cache") == "hit"


@pytest.fixture
def two_posts(client: Client) -> tuple[Post, Post]:
    first = PostFactory(title="First essay", published_at=timezone.now() - timedelta(days=2))
    second = PostFactory(title="Second essay", published_at=timezone.now() - timedelta(days=1))
    for url in ("/", first.get_absolute_url(), second.get_absolute_url(), "/feed/"):
        client.get(url)  # stored
    return first, second


def test_a_stored_page_is_served_without_a_query(
    client: Client, two_posts: tuple[Post, Post], django_assert_num_queries: Any
) -> None:
    url = two_posts[0].get_absolute_url()
    rendered = client.get(url, headers={"Cookie": ""})
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == rendered.content
    assert again["Content-Type"] == rendered["Content-Type"]
    assert "public" in again["Cache-Control"]
    assert "Content-Security-Policy" in again  # the outer middleware still dress it


def test_a_conditional_request_is_answered_304_without_rendering(
    client: Client, two_posts: tuple[Post, Post], django_assert_num_queries: Any
) -> None:
    url = two_posts[0].get_absolute_url()
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_personal_requests_bypass_the_cache(client: Client, two_posts: tuple[Post, Post]) -> None:
    url = two_posts[0].get_absolute_url()
    assert hit(client, url)
    client.cookies["sessionid"] = "abc"
    assert not hit(client, url)
    del client.cookies["sessionid"]
    client.cookies["broadsheet_pending"] = "x"
    assert not hit(client, url)
    del client.cookies["broadsheet_pending"]
    assert hit(client, url)


def test_an_approved_comment_refreshes_its_post_and_the_listings_only(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    first, second = two_posts
    comment = approved_comment(first, body="A held thought.", status=Comment.Status.PENDING)
    comment.save()
    comment_apply(comment=comment, action="approve")
    page = client.get(first.get_absolute_url())
    assert page.get("X-Page-Cache") != "hit" and "A held thought." in page.content.decode()
    assert hit(client, second.get_absolute_url())
    assert not hit(client, "/")  # the home page shows comment counts
    assert hit(client, "/")


def test_an_edit_refreshes_its_post_and_a_new_title_every_page(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    first, second = two_posts
    first.body = "A corrected paragraph."
    post_save(post=first)
    assert not hit(client, first.get_absolute_url())
    assert hit(client, second.get_absolute_url())
    assert not hit(client, "/feed/")

    first.title = "A better title"
    post_save(post=first)
    # The next post's "Previous post" link shows the title.
    page = client.get(second.get_absolute_url())
    assert page.get("X-Page-Cache") != "hit" and "A better title" in page.content.decode()


def test_publishing_and_settings_reach_every_page(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    first, second = two_posts
    PostFactory(title="Brand new")
    home = client.get("/")
    assert home.get("X-Page-Cache") != "hit" and "Brand new" in home.content.decode()
    assert not hit(client, first.get_absolute_url())  # footer archive counts, neighbours

    client.get(second.get_absolute_url())
    settings_row = SiteSettings.current()
    settings_row.title = "Renamed Journal"
    settings_row.save()
    page = client.get(second.get_absolute_url())
    assert page.get("X-Page-Cache") != "hit" and "Renamed Journal" in page.content.decode()


def test_a_scheduled_post_reaches_the_cached_home_page_when_the_worker_publishes_it(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    from broadsheet.notifications.tasks import publish_due_posts

    soon = PostFactory(
        title="Just in time",
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=1),
    )
    client.get("/")
    Post.objects.filter(pk=soon.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert publish_due_posts() == 1
    assert "Just in time" in client.get("/").content.decode()


def test_posts_and_pages_with_cookies_are_not_stored(client: Client) -> None:
    client.post("/comments/post/", {})  # a POST is never answered from the cache
    assert not hit(client, "/accounts/login/")  # private: never stored
    assert not hit(client, "/accounts/login/")


def test_unknown_addresses_and_odd_query_strings_are_not_stored(client: Client) -> None:
    PostFactory(title="Stored")
    for _ in range(2):
        missing = client.get("/no-such-page/")
        assert missing.status_code == 404 and missing.get("X-Page-Cache") != "hit"
        assert client.get("/", {"utm_source": "x"}).get("X-Page-Cache") != "hit"
    # Search results neither: every new question would be a new entry (a way to fill the disk).
    for _ in range(2):
        searched = client.get("/", {"s": "stored"})
        assert searched.status_code == 200 and searched.get("X-Page-Cache") != "hit"
        assert not hit(client, "/?s=stored&comments=1")
    assert hit(client, "/") is False and hit(client, "/")  # the home page itself is stored


def test_filling_the_page_cache_never_drops_a_sign_in_counter(settings: Any) -> None:
    from allauth.core import ratelimit
    from django.core.cache import caches
    from django.test import RequestFactory

    from broadsheet.core.filecache import _CULL_EVERY

    pages = dict(settings.CACHES["pages"])
    if pages["BACKEND"].endswith("FileCache"):
        pages["OPTIONS"] = {"MAX_ENTRIES": 100}  # full after a hundred pages: culled often
        settings.CACHES = {**settings.CACHES, "pages": pages}
    assert (
        settings.CACHES["pages"].get("LOCATION") != settings.CACHES["default"].get("LOCATION")
        or settings.CACHES["pages"]["KEY_PREFIX"] != settings.CACHES["default"]["KEY_PREFIX"]
    )
    request = RequestFactory().post("/accounts/login/")
    for _ in range(3):
        assert ratelimit.consume(request, action="login_failed", key="admin")
    for n in range(20 * _CULL_EVERY):
        caches["pages"].set(f"pc:{n}", b"x", 60)
    # Three failures are still counted: two more lock the account, as if no page was stored.
    assert ratelimit.consume(request, action="login_failed", key="admin")
    assert ratelimit.consume(request, action="login_failed", key="admin")
    assert not ratelimit.consume(request, action="login_failed", key="admin")


def test_without_a_purge_address_pages_carry_no_shared_cache_lifetime_or_tags(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    response = client.get(two_posts[0].get_absolute_url())
    assert "s-maxage" not in response["Cache-Control"]
    assert "Cache-Tag" not in response and "Surrogate-Key" not in response


def test_with_a_purge_address_pages_are_tagged_and_changes_are_sent_there(
    client: Client, settings: Any
) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from django_tasks_db.models import DBTaskResult

    from broadsheet.core.tasks import purge_shared_caches

    received: list[Any] = []

    class Purge(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Purge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.PAGE_PURGE_URL = f"http://127.0.0.1:{server.server_port}/purge"
        post = PostFactory(title="Tagged for the CDN")
        response = client.get(post.get_absolute_url())
        assert "s-maxage=86400" in response["Cache-Control"]
        assert "stale-while-revalidate=60" in response["Cache-Control"]
        assert response["Cache-Tag"] == f"post-{post.pk},site"
        assert response["Surrogate-Key"] == f"post-{post.pk} site"
        assert client.get("/")["Cache-Tag"] == "listings,site"

        approved_comment(post, body="Purge me.").save()
        queued = DBTaskResult.objects.filter(task_path__endswith="purge_shared_caches").last()
        assert queued is not None
        assert queued.args_kwargs["args"] == [["listings", f"post-{post.pk}"]]
        assert purge_shared_caches.call(["listings", f"post-{post.pk}"]) == 202
        assert received == [{"tags": ["listings", f"post-{post.pk}"]}]
    finally:
        server.shutdown()


def _environ(path: str, **extra: str) -> dict[str, Any]:
    """A WSGI environ as the test client builds one (same host, so the same cache key)."""
    import io

    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), **extra,
    }  # fmt: skip


class _Django:
    """Stands for Django behind the front: records whether a request reached it."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.calls += 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"rendered"]


def _front(path: str, **extra: str) -> tuple[_Django, str, dict[str, str], bytes]:
    from broadsheet.core.pagecache import PageCacheFront

    django, answer = _Django(), {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(PageCacheFront(django)(_environ(path, **extra), start_response))
    return django, answer["status"], answer["headers"], body


def test_the_wsgi_front_answers_a_stored_page_before_django(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    url = two_posts[0].get_absolute_url()
    rendered = client.get(url)
    django, status, headers, body = _front(url)
    assert django.calls == 0 and status == "200 OK" and body == rendered.content
    assert headers["X-Page-Cache"] == "hit" and headers["Content-Length"] == str(len(body))
    for name in (
        "Content-Type",
        "Cache-Control",
        "ETag",
        "Last-Modified",
        "Content-Security-Policy",
    ):
        assert headers[name] == rendered[name], name

    django, status, headers, body = _front(url, REQUEST_METHOD="HEAD")
    assert (
        django.calls == 0
        and body == b""
        and headers["Content-Length"] == str(len(rendered.content))
    )

    # Validators: the ETag, or a date no older than the page.
    django, status, headers, body = _front(url, HTTP_IF_NONE_MATCH=rendered["ETag"])
    assert (status, body, headers["ETag"]) == ("304 Not Modified", b"", rendered["ETag"])
    django, status, _, _ = _front(url, HTTP_IF_MODIFIED_SINCE=rendered["Last-Modified"])
    assert status == "304 Not Modified" and django.calls == 0
    _, status, _, _ = _front(
        url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=rendered["Last-Modified"]
    )
    assert status == "200 OK"  # If-None-Match decides when both are sent
    _, status, _, _ = _front(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")
    assert status == "200 OK"


def test_the_wsgi_front_passes_personal_and_unusual_requests_to_django(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    url = two_posts[0].get_absolute_url()
    client.get(url)
    assert _front(url)[0].calls == 0
    for extra in (
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "theme=dark; broadsheet_pending=x"},
        {"HTTP_AUTHORIZATION": "Basic eDp5"},
        {"REQUEST_METHOD": "POST"},
        {"QUERY_STRING": "utm_source=x"},
        {"HTTP_HOST": "elsewhere.example"},  # another host: another page
        {"wsgi.url_scheme": "https"},
    ):
        django, _, _, body = _front(url, **extra)
        assert django.calls == 1 and body == b"rendered", extra
    # A cookie that is not personal (the saved-details consent) still gets the stored page.
    assert _front(url, HTTP_COOKIE="comment_author_consent=1")[0].calls == 0


def test_the_wsgi_front_never_serves_a_page_after_what_it_shows_changed(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    first, second = two_posts
    client.get(first.get_absolute_url())
    client.get(second.get_absolute_url())
    first.body = "A corrected paragraph."
    post_save(post=first)
    assert _front(first.get_absolute_url())[0].calls == 1
    assert _front(second.get_absolute_url())[0].calls == 0


def test_every_stored_page_has_both_validators_and_a_conditional_get_is_answered_304(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    for url in ("/", two_posts[0].get_absolute_url(), "/feed/"):
        first = client.get(url)
        assert first["ETag"] and first["Last-Modified"], url
        again = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
        assert again.status_code == 304 and again["ETag"] == first["ETag"], url


def test_comments_no_reader_sees_leave_cached_pages_alone(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    """Held, spam and trashed comments are shown to nobody the cache serves (a writer's own
    held comment comes with a cookie that bypasses it): writing, filing, editing or deleting
    one keeps every stored page, until it is approved or stops being approved."""
    from broadsheet.discussion.services import Commenter, comment_submit
    from broadsheet.moderation.services import comment_delete, comment_edit

    first, second = two_posts
    url = first.get_absolute_url()

    def kept() -> bool:
        return hit(client, url) and hit(client, "/") and hit(client, second.get_absolute_url())

    def act(action: str) -> None:
        comment_apply(comment=Comment.objects.get(pk=held.pk), action=action)

    held = comment_submit(
        post=first, commenter=Commenter(name="Bo Guest", email="bo@example.org"), body="Held."
    )
    assert held.status == Comment.Status.PENDING
    assert kept()
    for action in ("spam", "not_spam", "trash", "restore"):
        act(action)
        assert kept(), action
    comment_edit(
        comment=Comment.objects.get(pk=held.pk), body="Held, and edited.",
        author_name="Bo Guest", author_email="bo@example.org", author_url="",
    )  # fmt: skip
    assert kept()

    act("approve")
    page = client.get(url)
    assert page.get("X-Page-Cache") != "hit" and "Held, and edited." in page.content.decode()
    assert not hit(client, "/") and hit(client, second.get_absolute_url())
    act("unapprove")  # it was shown until now
    page = client.get(url)
    assert page.get("X-Page-Cache") != "hit" and "Held, and edited." not in page.content.decode()
    assert not hit(client, "/")
    act("trash")
    assert kept()
    comment_delete(comment=Comment.objects.get(pk=held.pk))
    assert kept()

    shown = approved_comment(first, body="Shown to all.")
    assert not hit(client, url) and not hit(client, "/")
    comment_delete(comment=shown)
    assert not hit(client, url) and not hit(client, "/")


def test_a_page_rendered_while_something_changed_is_not_stored(
    client: Client, two_posts: tuple[Post, Post]
) -> None:
    """A change committed by another worker in the middle of a render (simulated: the race
    cannot be produced on demand) may leave the page half old: it is served, never stored."""
    from unittest import mock

    from django.db import transaction

    from broadsheet.core.pagecache import LISTINGS, pages_changed
    from broadsheet.publishing import selectors

    second = two_posts[1]
    original = selectors.post_neighbours

    def neighbours_while_someone_writes(**kwargs: Any) -> Any:
        with transaction.atomic():
            pages_changed(LISTINGS)  # an unrelated change, committed meanwhile
        return original(**kwargs)

    second.body = "Edited."
    post_save(post=second)  # its stored page is stale
    with mock.patch.object(selectors, "post_neighbours", neighbours_while_someone_writes):
        assert client.get(second.get_absolute_url()).get("X-Page-Cache") != "hit"
    assert not hit(client, second.get_absolute_url())  # not stored by that request
    assert hit(client, second.get_absolute_url())  # the next, undisturbed render is


def test_without_the_page_cache_public_pages_still_carry_validators_and_get_304s(
    client: Client, settings: Any
) -> None:
    settings.PAGE_CACHE = False
    post = PostFactory(title="Validated")
    closed = PostFactory(title="Closed", comments_open=False)
    # A post's own bytes change with every render while comments are open (the form carries
    # the time it was shown): it gets no validators, which could only answer a changed page
    # 304 (a date to the second: a revision within that second would not be seen).
    page = client.get(post.get_absolute_url())
    assert "ETag" not in page and "Last-Modified" not in page
    assert page.get("X-Page-Cache") != "hit" and page.content.count(b'name="shown_at"') == 1
    Post.objects.filter(pk=post.pk).update(title="Validated again")
    again = client.get(post.get_absolute_url(), headers={"If-Modified-Since": http_date()})
    assert again.status_code == 200 and b"Validated again" in again.content
    for url in ("/", "/feed/", closed.get_absolute_url()):
        first = client.get(url)
        assert first["ETag"] and first["Last-Modified"], url
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304 and again.content == b"", url
    private = client.get("/accounts/login/")
    assert "ETag" not in private  # personal pages get none
