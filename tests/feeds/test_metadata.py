"""Metadata on the post page, read back by independent parsers (json, mf2py)."""

from __future__ import annotations

import json
import re
from typing import Any

import mf2py
import pytest
from django.test import Client

from tests.factories import CategoryFactory, PostFactory, ReferenceFactory, approved_comment

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
