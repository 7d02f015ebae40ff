"""Feeds and sitemaps cost a fixed number of queries whatever the size of the site; a reader
who has the feed already gets a 304 for less, and the 304 stops as soon as the feed changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.discussion.models import Comment
from broadsheet.feeds.feeds import _approved_comments
from broadsheet.publishing.models import Post
from tests.factories import (
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    ReferenceFactory,
    TagFactory,
    approved_comment,
)

pytestmark = pytest.mark.django_db

# The most each feed may cost, rendered: the newest ids, their rows, then authors (links,
# accounts, profiles), categories and references, their published corrections; plus the
# category, tag or author itself.
POST_FEEDS = {
    "/feed/": 8,
    "/feed/atom/": 8,
    "/feed/json/": 8,
    "/category/history/feed/": 9,
    "/tag/archives/feed/": 9,
    "/author/mhale/feed/": 9,
}
# The comments with their posts and commenters in one query; a post's feed finds the post first.
COMMENTS_FEED = 1
POST_COMMENTS_FEED = 2


class Site:
    def __init__(self, author: Any) -> None:
        self.author = author
        self.coauthor = AuthorFactory(username="jtarrant")
        self.maritime = CategoryFactory(
            name="Maritime", slug="maritime", parent=CategoryFactory(name="History", slug="history")
        )
        self.tag = TagFactory(name="archives", slug="archives")
        self.busiest: Post | None = None
        self.size = 0

    def grow(self, posts: int) -> None:
        """More posts, each with two authors, categories, a tag, references and a discussion."""
        for _ in range(posts):
            self.size += 1
            post = PostFactory(
                title=f"Essay {self.size}",
                authors=[self.author, self.coauthor],
                categories=[self.maritime, CategoryFactory()],
                tags=[self.tag, TagFactory()],
            )
            for position in range(2):
                ReferenceFactory(post=post, title=f"Source {position}", position=position)
            self.busiest = self.busiest or post
            for target in (post, self.busiest):
                top = approved_comment(target, body=f"On essay {self.size}.")
                approved_comment(target, parent=top, name="Margaret Hale", user=self.author)

    def urls(self) -> dict[str, int]:
        assert self.busiest is not None
        return {
            **POST_FEEDS,
            "/comments/feed/": COMMENTS_FEED,
            f"{self.busiest.get_absolute_url()}feed/": POST_COMMENTS_FEED,
        }


@pytest.fixture
def site(author: Any) -> Site:
    made = Site(author)
    made.grow(3)
    return made


def _queries(client: Client, url: str, **headers: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response.status_code, len(queries.captured_queries)


def test_feeds_cost_the_same_queries_for_three_posts_or_thirty(client: Client, site: Site) -> None:
    for url in site.urls():
        client.get(url)  # the site settings reach the cache
    small = {url: _queries(client, url) for url in site.urls()}
    site.grow(27)
    large = {url: _queries(client, url) for url in site.urls()}
    assert large == small
    for url, most in site.urls().items():
        assert large[url] == (200, most), url


def test_a_reader_with_the_feed_gets_a_304_from_the_items_alone(client: Client, site: Site) -> None:
    for url, rendered in site.urls().items():
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"] and first["Last-Modified"], url
        status, queries = _queries(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert status == 304, url
        assert queries < rendered or rendered <= 2, url  # no authors, categories or references
        status, _ = _queries(client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert status == 304, url


def _etag(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return str(response["ETag"])


def test_the_comments_feed_changes_when_a_comment_is_approved_or_withdrawn(
    client: Client, site: Site
) -> None:
    assert site.busiest is not None
    held = approved_comment(
        site.busiest, body="Held for a moderator.", status=Comment.Status.PENDING
    )
    before = _etag(client, "/comments/feed/")
    post_feed = f"{site.busiest.get_absolute_url()}feed/"
    post_before = _etag(client, post_feed)

    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.APPROVED)
    approved = _etag(client, "/comments/feed/")
    assert approved != before and _etag(client, post_feed) != post_before
    assert "Held for a moderator." in client.get("/comments/feed/").content.decode()

    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.SPAM)
    assert _etag(client, "/comments/feed/") not in (approved, "")
    assert "Held for a moderator." not in client.get("/comments/feed/").content.decode()


def test_a_category_feed_changes_when_the_category_is_renamed(client: Client, site: Site) -> None:
    before = _etag(client, "/category/history/feed/")
    history = site.maritime.parent
    assert history is not None
    history.name = "Histories"
    history.save()
    assert _etag(client, "/category/history/feed/") != before


def test_a_post_comments_feed_answers_only_at_the_posts_own_address(
    client: Client, site: Site
) -> None:
    assert site.busiest is not None
    url = site.busiest.get_absolute_url()
    assert client.get(f"{url}feed/").status_code == 200
    assert client.get(f"/1999/01/01/{site.busiest.slug}/feed/").status_code == 404
    assert client.get(url.replace(site.busiest.slug, "no-such-essay") + "feed/").status_code == 404
    site.busiest.status = Post.Status.DRAFT
    site.busiest.save()
    assert client.get(f"{url}feed/").status_code == 404


def test_a_post_with_a_non_ascii_slug_has_its_comments_feed(client: Client, author: Any) -> None:
    post = PostFactory(title="Über alles", slug="über-alles", authors=[author])
    approved_comment(post, body="Ein Gedanke.")
    url = post.get_absolute_url()
    assert "%C3%BC" in url  # the address as reverse() writes it; the router decodes it
    response = client.get(f"{url}feed/")
    assert response.status_code == 200 and "Ein Gedanke." in response.content.decode()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite query plan")
def test_a_posts_comments_are_read_through_the_posts_own_index(site: Site) -> None:
    """SQLite would otherwise walk every approved comment on the site in date order, looking
    for this post's: 1.5 s on a post with two comments among 100,000 (bench/feeds.py)."""
    post = Post.objects.get(title="Essay 2")
    plan = _approved_comments().filter(post=post, depth__gte=0)[:50].explain()
    assert "comment_top_level" in plan, plan


def test_the_sitemap_index_costs_the_same_queries_for_three_posts_or_thirty(
    client: Client, site: Site
) -> None:
    client.get("/sitemap.xml")  # the current Site reaches its cache
    small = _queries(client, "/sitemap.xml")
    site.grow(27)
    assert _queries(client, "/sitemap.xml") == small
    # One count for each of the four sections, and the newest change of each listed one (no
    # pages here, so the pages section is left out).
    assert small == (200, 7)
