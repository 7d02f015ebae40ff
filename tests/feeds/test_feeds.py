"""Feeds at WordPress's addresses, read back by feedparser; conditional GET answered with 304."""

from __future__ import annotations

import json
from typing import Any

import feedparser
import pytest
from django.test import Client

from broadsheet.publishing.models import Post
from tests.factories import (
    CategoryFactory,
    PostFactory,
    ReferenceFactory,
    TagFactory,
    approved_comment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(author: Any) -> list[Post]:
    history = CategoryFactory(name="History", slug="history")
    tag = TagFactory(name="archives", slug="archives")
    made = []
    for i in range(12):
        post = PostFactory(
            title=f"Essay {i}", body=f"Text {i}.[^1]\n\n[^1]: Note {i}.", authors=[author],
            categories=[history] if i % 2 else [], tags=[tag] if i % 3 == 0 else [],
        )  # fmt: skip
        made.append(post)
    ReferenceFactory(post=made[-1], title="Harbour Lights")
    approved_comment(made[-1], body="A reader's thought.")
    return made


def _parse(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return parsed


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_site_feeds_carry_the_full_essay(client: Client, posts: list[Post], url: str) -> None:
    feed = _parse(client, url)
    assert len(feed.entries) == 10
    newest = next(e for e in feed.entries if e.title == "Essay 11")
    content = newest.get("content", [{}])[0].get("value") or newest.summary
    assert "Text 11." in content and "Harbour Lights" in content and "Note 11." in content
    assert f"{posts[-1].get_absolute_url()}#fn-1" in content  # footnote links work outside the page
    assert newest.link.endswith(posts[-1].get_absolute_url())


def test_category_tag_and_author_feeds(client: Client, posts: list[Post]) -> None:
    assert {e.title for e in _parse(client, "/category/history/feed/").entries} == {
        f"Essay {i}" for i in range(12) if i % 2
    }
    assert {e.title for e in _parse(client, "/tag/archives/feed/").entries} == {
        "Essay 0",
        "Essay 3",
        "Essay 6",
        "Essay 9",
    }
    assert len(_parse(client, "/author/mhale/feed/").entries) == 10
    assert client.get("/category/nope/feed/").status_code == 404


def test_comment_feeds(client: Client, posts: list[Post]) -> None:
    site = _parse(client, "/comments/feed/")
    assert [e.title for e in site.entries] == ["Comment on Essay 11 by Ada Reader"]
    post = _parse(client, f"{posts[-1].get_absolute_url()}feed/")
    assert (
        len(post.entries) == 1 and "A reader’s thought." in post.entries[0].summary
    ) or "A reader's thought." in post.entries[0].summary


def test_json_feed_has_the_fields_its_version_requires(client: Client, posts: list[Post]) -> None:
    response = client.get("/feed/json/")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert (
        feed["version"] == "https://jsonfeed.org/version/1.1"
        and feed["title"]
        and len(feed["items"]) == 10
    )
    for item in feed["items"]:
        assert item["id"] and item["url"].startswith("http") and item["content_html"]


def test_conditional_get_answers_304_and_changes_when_a_post_changes(
    client: Client, posts: list[Post]
) -> None:
    first = client.get("/feed/")
    assert first["ETag"] and first["Last-Modified"]
    assert client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/feed/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    PostFactory(title="Newer", authors=[posts[0].authors.first()])
    assert client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_every_page_names_its_feeds(client: Client, posts: list[Post]) -> None:
    home = client.get("/").content.decode()
    assert (
        'type="application/rss+xml"' in home
        and 'href="/feed/"' in home
        and 'href="/feed/json/"' in home
    )
    page = client.get(posts[-1].get_absolute_url()).content.decode()
    assert f'href="{posts[-1].get_absolute_url()}feed/"' in page
    assert 'href="/category/history/feed/"' in client.get("/category/history/").content.decode()


def test_drafts_never_reach_a_feed(client: Client, posts: list[Post], author: Any) -> None:
    PostFactory(title="Secret draft", status=Post.Status.DRAFT, published_at=None, authors=[author])
    assert "Secret draft" not in client.get("/feed/").content.decode()
