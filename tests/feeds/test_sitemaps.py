"""Sitemaps and robots.txt."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.publishing.models import Post
from tests.factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _xml(client: Client, url: str) -> ElementTree.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own sitemap, in a test


def test_the_index_names_each_section_and_posts_carry_lastmod(client: Client, author: Any) -> None:
    post = PostFactory(
        title="Lamps",
        authors=[author],
        categories=[CategoryFactory(name="History", slug="history")],
    )
    PostFactory(title="Draft", status=Post.Status.DRAFT, published_at=None, authors=[author])
    PostFactory(kind=Post.Kind.PAGE, title="About", slug="about", authors=[author])
    index = _xml(client, "/sitemap.xml")
    sections = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert {re.sub(r"^https?://[^/]+", "", s or "") for s in sections} >= {
        "/sitemap-posts.xml",
        "/sitemap-pages.xml",
        "/sitemap-categories.xml",
    }
    posts = _xml(client, "/sitemap-posts.xml")
    urls = posts.findall("sm:url", NS)
    assert [u.find("sm:loc", NS).text.endswith(post.get_absolute_url()) for u in urls] == [True]  # type: ignore[union-attr]
    assert urls[0].find("sm:lastmod", NS) is not None
    assert _xml(client, "/sitemap-pages.xml").find("sm:url/sm:loc", NS).text.endswith("/about/")  # type: ignore[union-attr]
    assert (
        _xml(client, "/sitemap-categories.xml")
        .find("sm:url/sm:loc", NS)
        .text.endswith("/category/history/")
    )  # type: ignore[union-attr]


def test_two_thousand_addresses_a_file(client: Client) -> None:
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            title=f"P{i}",
            slug=f"p{i}",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i),
        )
        for i in range(2001)
    )
    index = _xml(client, "/sitemap.xml")
    pages = [
        loc.text for loc in index.findall("sm:sitemap/sm:loc", NS) if "posts" in (loc.text or "")
    ]
    assert len(pages) == 2
    assert len(_xml(client, "/sitemap-posts.xml").findall("sm:url", NS)) == 2000
    assert len(_xml(client, "/sitemap-posts.xml?p=2").findall("sm:url", NS)) == 1


def test_robots_names_the_sitemap(client: Client, db: None) -> None:
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text and "Disallow: /admin/" in text
