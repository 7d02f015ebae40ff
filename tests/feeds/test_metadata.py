"""Metadata on post, home and archive pages, read back by independent parsers (json, mf2py,
html.parser)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

import mf2py
import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from broadsheet.discussion.models import Comment
from broadsheet.publishing.metadata import COMMENTS_IN_JSON_LD
from tests.factories import (
    CategoryFactory,
    PostFactory,
    ReferenceFactory,
    TagFactory,
    approved_comment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client: Client, author: Any) -> str:
    post = PostFactory(
        title='Lamps </script><script>alert(1)</script> & "Ledgers"', authors=[author], excerpt="Why keepers' logs matter.",
        categories=[CategoryFactory(name="History", slug="history")],
    )  # fmt: skip
    ReferenceFactory(post=post, title="Harbour Lights", doi="10.5555/1")
    approved_comment(post, body="A reader's thought.", name="Ada Reader")
    return client.get(post.get_absolute_url()).content.decode()


def _json_ld(html: str) -> list[dict[str, Any]]:
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def test_json_ld_describes_the_article_its_citations_and_breadcrumbs(page: str) -> None:
    article, crumbs = _json_ld(page)
    assert article["@type"] == "BlogPosting"
    assert article["headline"].startswith("Lamps </script>")  # kept as text, escaped in the block
    assert article["author"][0]["name"] == "Margaret Hale"
    assert article["datePublished"] and article["dateModified"]
    assert article["citation"][0] == {
        "@type": "CreativeWork", "name": "Harbour Lights", "author": [{"@type": "Person", "name": "Edith Marsh"}],
        "datePublished": "1998", "sameAs": "https://doi.org/10.5555/1",
    }  # fmt: skip
    assert [item["name"] for item in crumbs["itemListElement"]][1] == "History"
    assert page.count("<script>alert(1)</script>") == 0


def test_open_graph_twitter_and_citation_tags(page: str) -> None:
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:description" content="Why keepers’ logs matter.">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert '<meta name="citation_author" content="Margaret Hale">' in page


def test_microformats_h_entry_with_author_date_content_and_comments(page: str) -> None:
    parsed = mf2py.parse(doc=page)
    [entry] = [item for item in parsed["items"] if "h-entry" in item["type"]]
    props = entry["properties"]
    assert props["author"][0]["properties"]["name"] == ["Margaret Hale"]
    assert props["published"]
    assert "An opening paragraph." in props["content"][0]["value"]
    comments = props.get("comment", [])
    assert comments and "A reader" in comments[0]["properties"]["content"][0]["value"]


# --- home and archive pages, and the comments in a post's JSON-LD -------------------------


class _Head(HTMLParser):
    """Meta tags, the canonical link and the JSON-LD blocks, read as a browser reads them: a
    data block ends at the first `</script`, so text that breaks out shows up as scripts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical: list[str] = []
        self.json_ld: list[dict[str, Any]] = []
        self.scripts: list[dict[str, str | None]] = []
        self._data: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("property") or attributes.get("name")):
            key = attributes.get("property") or attributes.get("name") or ""
            assert key not in self.meta, f"{key} twice"
            self.meta[key] = attributes.get("content") or ""
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical.append(attributes.get("href") or "")
        elif tag == "script":
            self.scripts.append(attributes)
            if attributes.get("type") == "application/ld+json":
                self._data = []

    def handle_data(self, data: str) -> None:
        if self._data is not None:
            self._data.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._data is not None:
            self.json_ld.append(json.loads("".join(self._data)))
            self._data = None


def _head(client: Client, path: str) -> _Head:
    response = client.get(path)
    assert response.status_code == 200, path
    head = _Head(response.content.decode())
    # Nothing but our own script files and JSON-LD data blocks.
    for script in head.scripts:
        assert script.get("type") == "application/ld+json" or script.get("src"), script
    return head


def _social_tags(head: _Head, *, title: str, description: str, url: str) -> None:
    assert head.canonical == [url]
    assert head.meta["description"] == description
    assert head.meta["og:type"] == "website"
    assert head.meta["og:title"] == title
    assert head.meta["og:description"] == description
    assert head.meta["og:url"] == url
    assert head.meta["og:site_name"] == "Broadsheet"
    assert head.meta["twitter:card"] == "summary"
    assert head.meta["twitter:title"] == title
    assert head.meta["twitter:description"] == description
    assert "robots" not in head.meta  # page 2 on is indexable too, under its own address


@pytest.fixture
def site(settings: Any) -> str:
    settings.SITE_URL = "https://essays.example.org"
    settings.SITE_NAME = "Broadsheet"
    settings.SITE_TAGLINE = "Essays on harbours"
    return "https://essays.example.org"


def test_home_page_describes_the_website_and_its_search(
    client: Client, author: Any, site: str
) -> None:
    PostFactory(authors=[author])
    head = _head(client, "/")
    _social_tags(head, title="Broadsheet", description="Essays on harbours", url=f"{site}/")
    [website] = head.json_ld
    assert website == {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": "Broadsheet",
        "url": f"{site}/",
        "description": "Essays on harbours",
        "potentialAction": {
            "@type": "SearchAction",
            "target": f"{site}/?s={{search_term_string}}",
            "query-input": "required name=search_term_string",
        },
    }


def test_later_home_pages_have_their_own_canonical_address(
    client: Client, author: Any, site: str, settings: Any
) -> None:
    settings.POSTS_PER_PAGE = 1
    PostFactory(authors=[author])
    PostFactory(authors=[author])
    head = _head(client, "/page/2/")
    _social_tags(
        head,
        title="Broadsheet – Page 2 of 2",
        description="Essays on harbours (page 2 of 2)",
        url=f"{site}/page/2/",
    )


def test_date_archive_is_a_collection_page_with_breadcrumbs(
    client: Client, author: Any, site: str
) -> None:
    PostFactory(authors=[author], published_at=timezone.make_aware(datetime(2025, 3, 14, 9, 30)))
    head = _head(client, "/2025/03/14/")
    title, description = "Day: March 14, 2025", "Posts published on March 14, 2025."
    _social_tags(head, title=title, description=description, url=f"{site}/2025/03/14/")
    collection, crumbs = head.json_ld
    assert collection == {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": title,
        "description": description,
        "url": f"{site}/2025/03/14/",
        "isPartOf": {"@type": "WebSite", "name": "Broadsheet", "url": f"{site}/"},
    }
    assert crumbs["@type"] == "BreadcrumbList"
    assert crumbs["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "name": "Broadsheet", "item": f"{site}/"},
        {"@type": "ListItem", "position": 2, "name": "2025", "item": f"{site}/2025/"},
        {"@type": "ListItem", "position": 3, "name": "March 2025", "item": f"{site}/2025/03/"},
        {"@type": "ListItem", "position": 4, "name": "March 14, 2025", "item": f"{site}/2025/03/14/"},
    ]  # fmt: skip
    [_, year] = _head(client, "/2025/").json_ld[1]["itemListElement"]
    assert year["item"] == f"{site}/2025/"


def test_later_archive_pages_have_their_own_canonical_address(
    client: Client, author: Any, site: str, settings: Any
) -> None:
    settings.POSTS_PER_PAGE = 1
    for day in (1, 2, 3):
        PostFactory(
            authors=[author], published_at=timezone.make_aware(datetime(2025, 3, day, 9, 30))
        )
    head = _head(client, "/2025/03/page/2/")
    _social_tags(
        head,
        title="Month: March 2025 – Page 2 of 3",
        description="Posts published in March 2025. (page 2 of 3)",
        url=f"{site}/2025/03/page/2/",
    )
    assert head.json_ld[0]["url"] == f"{site}/2025/03/page/2/"
    # The breadcrumb names the archive itself, not one page of it.
    assert head.json_ld[1]["itemListElement"][-1]["item"] == f"{site}/2025/03/"


def test_author_category_and_tag_archives_describe_themselves(
    client: Client, author: Any, site: str
) -> None:
    history = CategoryFactory(name="History", slug="history", description="Ports and people.")
    tag = TagFactory(name="lighthouses", slug="lighthouses")
    PostFactory(authors=[author], categories=[history], tags=[tag])
    for path, title, description, crumb in [
        ("/author/mhale/", "Author: Margaret Hale", "Mhale is a researcher studying harbours.", "Margaret Hale"),
        ("/category/history/", "Category: History", "Ports and people.", "History"),
        ("/tag/lighthouses/", "Tag: lighthouses", "Posts tagged lighthouses.", "lighthouses"),
    ]:  # fmt: skip
        head = _head(client, path)
        _social_tags(head, title=title, description=description, url=f"{site}{path}")
        collection, crumbs = head.json_ld
        assert collection["@type"] == "CollectionPage" and collection["name"] == title
        assert [i["name"] for i in crumbs["itemListElement"]] == ["Broadsheet", crumb]
        assert crumbs["itemListElement"][-1]["item"] == f"{site}{path}"


def test_archive_metadata_cannot_break_out_of_its_tags(
    client: Client, author: Any, site: str
) -> None:
    name = '</script><script>alert(1)</script> "quoted"'
    PostFactory(authors=[author], tags=[TagFactory(name=name, slug="hostile")])
    response = client.get("/tag/hostile/")
    head = _head(client, "/tag/hostile/")
    assert head.meta["og:title"] == f"Tag: {name}"
    assert head.json_ld[0]["name"] == f"Tag: {name}"
    assert head.json_ld[1]["itemListElement"][-1]["name"] == name
    assert "<script>alert(1)" not in response.content.decode()


def _post_with_comments(author: Any, comments: int, **body: str) -> Any:
    post = PostFactory(authors=[author])
    for i in range(comments):
        approved_comment(post, body=body.get("body", f"Comment {i}."), name=f"Reader {i}")
    return post


def _blog_posting(client: Client, post: Any) -> dict[str, Any]:
    [article] = [
        i for i in _head(client, post.get_absolute_url()).json_ld if i["@type"] == "BlogPosting"
    ]
    return article  # fmt: skip


def test_post_json_ld_carries_its_comments(client: Client, author: Any, site: str) -> None:
    post = PostFactory(authors=[author])
    first = approved_comment(post, name="Ada Reader", body="A <em>fair</em> point.")
    Comment.objects.filter(pk=first.pk).update(
        body_html="<p>A <em>fair</em> point &amp; more.</p><p>Second&nbsp;paragraph.</p>"
    )
    linked = approved_comment(post, parent=first, name="Ben Web", author_url="https://ben.example")
    approved_comment(post, name="Margaret", user=author)
    approved_comment(post, name="Held back", status=Comment.Status.PENDING)
    article = _blog_posting(client, post)
    assert article["commentCount"] == 3
    ada, ben, margaret = article["comment"]
    assert ada == {
        "@type": "Comment",
        "author": {"@type": "Person", "name": "Ada Reader"},
        "dateCreated": timezone.localtime(first.created_at).isoformat(),
        "text": "A fair point & more. Second paragraph.",  # whitespace collapsed
        "url": f"{site}{post.get_absolute_url()}#comment-{first.pk}",  # the page it is on
    }
    assert ben["author"] == {"@type": "Person", "name": "Ben Web", "url": "https://ben.example"}
    assert ben["url"] == f"{site}{post.get_absolute_url()}#comment-{linked.pk}"
    assert margaret["author"] == {
        "@type": "Person",
        "name": "Margaret Hale",
        "url": f"{site}/people/mhale/",
    }


def test_post_json_ld_comments_are_limited_and_shortened(
    client: Client, author: Any, site: str
) -> None:
    post = _post_with_comments(author, 25, body="word " * 200)
    article = _blog_posting(client, post)
    assert article["commentCount"] == 25
    assert len(article["comment"]) == COMMENTS_IN_JSON_LD == 5
    assert [c["author"]["name"] for c in article["comment"]] == [f"Reader {i}" for i in range(5)]
    for comment in article["comment"]:
        assert len(comment["text"]) <= 300 and comment["text"].endswith("…")


def test_post_json_ld_without_comments_counts_none(client: Client, author: Any) -> None:
    article = _blog_posting(client, PostFactory(authors=[author]))
    assert article["commentCount"] == 0 and "comment" not in article


def test_comments_cannot_break_out_of_the_json_ld(client: Client, author: Any) -> None:
    post = PostFactory(authors=[author])
    payload = "</script><script>alert(1)</script>"
    comment = approved_comment(post, name=payload, body="x")
    # Stored as the sanitizer stores it: escaped in HTML, the raw payload once it is text.
    Comment.objects.filter(pk=comment.pk).update(body_html=f"<p>{escape(payload)}</p>")
    html = client.get(post.get_absolute_url()).content.decode()
    assert payload not in html
    [item] = _blog_posting(client, post)["comment"]
    assert item["text"] == payload and item["author"]["name"] == payload
