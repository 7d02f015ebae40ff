"""The whole-page cache: anonymous readers get stored bytes without a query; each kind of
change makes stale exactly the pages that show it; personal requests never touch it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

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
    client.get("/", {"s": "stored"})
    assert hit(client, "/?s=stored")


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
