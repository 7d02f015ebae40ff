"""Sitemaps checked against the Sitemaps protocol's XML schema (sitemaps.org, 0.9), with lxml.

The two schemas beside this file are written from https://www.sitemaps.org/protocol.html;
each test that relies on them also shows that they reject what the protocol forbids.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from broadsheet.publishing.models import Post
from tests.factories import CategoryFactory, PostFactory, TagFactory

pytestmark = pytest.mark.django_db
HERE = Path(__file__).resolve().parent
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
INDEX_SCHEMA = etree.XMLSchema(etree.parse(HERE / "sitemap_index.xsd"))
URLSET_SCHEMA = etree.XMLSchema(etree.parse(HERE / "sitemap_urlset.xsd"))
MAX_BYTES = 50 * 1024 * 1024  # the protocol's limit for one uncompressed file


def _fetch(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml"), url
    assert len(response.content) <= MAX_BYTES
    return response.content


def _errors(schema: etree.XMLSchema, content: bytes) -> list[str]:
    schema.validate(etree.fromstring(content))
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def _valid_index(client: Client) -> list[str]:
    """The index validates; returns the section addresses it lists."""
    content = _fetch(client, "/sitemap.xml")
    assert _errors(INDEX_SCHEMA, content) == []
    return [str(loc.text) for loc in etree.fromstring(content).iter(f"{{{NS}}}loc")]


def _valid_section(client: Client, url: str) -> list[str]:
    """A section validates; returns the addresses it lists."""
    parts = urlsplit(url)
    content = _fetch(client, f"{parts.path}?{parts.query}" if parts.query else parts.path)
    assert _errors(URLSET_SCHEMA, content) == [], url
    return [str(loc.text) for loc in etree.fromstring(content).iter(f"{{{NS}}}loc")]


def _same_host(urls: list[str], host: str) -> None:
    """The protocol: a sitemap lists addresses on its own host only."""
    assert urls
    assert {urlsplit(url).netloc for url in urls} == {host}


@pytest.fixture
def site(author: Any) -> dict[str, Post]:
    """A small site with every kind of address a sitemap lists."""
    maritime = CategoryFactory(
        name="Maritime History", slug="maritime", parent=CategoryFactory(name="History")
    )
    tags = [TagFactory(name="lighthouses"), TagFactory(name="übersee", slug="übersee")]
    essay = PostFactory(title="Lamps", authors=[author], categories=[maritime], tags=tags)
    older = PostFactory(
        title="Older",
        slug="older",
        authors=[author],
        published_at=timezone.now() - timedelta(days=400),
        categories=[maritime],
    )
    PostFactory(title="Draft", status=Post.Status.DRAFT, published_at=None, authors=[author])
    about = PostFactory(kind=Post.Kind.PAGE, title="About", slug="about", authors=[author])
    PostFactory(kind=Post.Kind.PAGE, title="Team", slug="team", parent=about, authors=[author])
    return {"essay": essay, "older": older, "about": about}


def test_the_index_and_every_section_of_a_site_validate(client: Client, site: Any) -> None:
    sections = _valid_index(client)
    host = urlsplit(sections[0]).netloc
    _same_host(sections, host)
    assert {urlsplit(s).path for s in sections} >= {
        "/sitemap-posts.xml",
        "/sitemap-pages.xml",
        "/sitemap-categories.xml",
        "/sitemap-tags.xml",
    }
    listed: list[str] = []
    for section in sections:  # any section added later (date archives …) is checked as well
        urls = _valid_section(client, section)
        _same_host(urls, host)
        listed += [urlsplit(url).path for url in urls]
    assert {
        site["essay"].get_absolute_url(),
        site["older"].get_absolute_url(),
        "/about/",
        "/about/team/",
        "/category/history/maritime/",
        "/tag/lighthouses/",
    } <= set(listed)
    assert len(listed) == len(set(listed))


def test_more_than_two_thousand_posts_are_split_into_valid_files_of_two_thousand(
    client: Client,
) -> None:
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            title=f"P{i}",
            slug=f"p{i}",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i),
            modified_at=now - timedelta(minutes=i),
        )
        for i in range(4001)
    )
    posts = [s for s in _valid_index(client) if "/sitemap-posts.xml" in s]
    assert len(posts) == 3
    counts = [len(_valid_section(client, section)) for section in posts]
    assert counts == [2000, 2000, 1]


def test_an_empty_section_is_left_out_of_the_index(client: Client, author: Any) -> None:
    """The protocol's <urlset> holds at least one <url>: a section with nothing in it (no
    tags yet, no pages) is not listed, and asking for it directly finds nothing."""
    PostFactory(title="Lamps", authors=[author])
    paths = {urlsplit(s).path for s in _valid_index(client)}
    assert "/sitemap-posts.xml" in paths
    assert not paths & {"/sitemap-pages.xml", "/sitemap-tags.xml", "/sitemap-categories.xml"}
    assert client.get("/sitemap-tags.xml").status_code == 404


def test_a_site_with_nothing_published_has_no_sitemap_yet(client: Client, db: None) -> None:
    assert client.get("/sitemap.xml").status_code == 404
    assert client.get("/sitemap-posts.xml").status_code == 404
    assert client.get("/sitemap-nonsense.xml").status_code == 404


# The schemas are not vacuous: what the protocol forbids fails, in a document that otherwise
# validates (the unbroken original is checked first). Each change is (pattern, replacement).
LASTMOD = r"<lastmod>[^<]*</lastmod>"
BROKEN_URLSETS = {
    "wrong namespace": (re.escape(NS), "http://www.google.com/schemas/sitemap/0.84"),
    "lastmod not W3C Datetime": (LASTMOD, "<lastmod>14/03/2026</lastmod>"),
    "lastmod time without a zone": (LASTMOD, "<lastmod>2026-03-14T09:30:00</lastmod>"),
    "priority above 1.0": ("</lastmod>", "</lastmod><priority>1.5</priority>"),
    "unknown changefreq": ("</url>", "<changefreq>fortnightly</changefreq></url>"),
    "relative loc": (r"<loc>https?://[^/<]+", "<loc>"),
    "loc longer than 2,048 characters": ("</loc>", "a" * 2048 + "</loc>"),
    "elements out of order": (rf"<url>(<loc>[^<]*</loc>)({LASTMOD})", r"<url>\2\1"),
    "no url at all": (r"(?s)<url>.*</url>", ""),
}


@pytest.mark.parametrize("change", BROKEN_URLSETS.values(), ids=BROKEN_URLSETS.keys())
def test_a_broken_sitemap_fails_validation(
    client: Client, site: Any, change: tuple[str, str]
) -> None:
    original = _fetch(client, "/sitemap-posts.xml").decode()
    assert _errors(URLSET_SCHEMA, original.encode()) == []
    broken = re.sub(*change, original, count=1)
    assert broken != original
    assert _errors(URLSET_SCHEMA, broken.encode()) != []


BROKEN_INDEXES = {
    "wrong namespace": (re.escape(NS), "http://www.sitemaps.org/schemas/sitemap/0.8"),
    "lastmod not a date": (LASTMOD, "<lastmod>yesterday</lastmod>"),
    "url instead of sitemap": (r"<sitemap>(.*?)</sitemap>", r"<url>\1</url>"),
    "no sitemap at all": (r"(?s)<sitemap>.*</sitemap>", ""),
}


@pytest.mark.parametrize("change", BROKEN_INDEXES.values(), ids=BROKEN_INDEXES.keys())
def test_a_broken_index_fails_validation(
    client: Client, site: Any, change: tuple[str, str]
) -> None:
    original = _fetch(client, "/sitemap.xml").decode()
    assert _errors(INDEX_SCHEMA, original.encode()) == []
    assert "<lastmod>" in original
    broken = re.sub(*change, original, count=1)
    assert broken != original
    assert _errors(INDEX_SCHEMA, broken.encode()) != []
