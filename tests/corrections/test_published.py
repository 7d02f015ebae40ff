"""What readers see of corrections: nothing until one is accepted; then the dated list at the end
of the essay (credited only with consent), its JSON-LD, the feeds, /corrections/ and its feed."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.corrections.services import correction_decline
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.corrections.conftest import SCRIPT, accepted, suggestion
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _xml(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 - our own feed, in a test


def _json_ld(html: str) -> dict[str, Any]:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    data: dict[str, Any] = json.loads(block.group(1))
    return data


def test_a_suggestion_is_private_until_it_is_accepted(client: Client, essay: Post) -> None:
    pending = suggestion(essay, problem="Private words.", fix="Secret fix.")
    declined = suggestion(essay, problem="Other words.", fix="Another fix.")
    correction_decline(correction=declined, by=None, reason="The ledger says 1826.")
    for url in (essay.get_absolute_url(), "/corrections/", "/corrections/feed/", "/feed/",
                "/feed/atom/", "/feed/json/"):  # fmt: skip
        html = client.get(url).content.decode()
        for private in ("Private words", "Secret fix", "Another fix", "ledger says", "Ada Reader"):
            assert private not in html, (url, private)
    assert "Corrections and updates" not in client.get(essay.get_absolute_url()).content.decode()
    assert pending.status == "pending"


def test_an_accepted_correction_is_listed_dated_and_credited(client: Client, essay: Post) -> None:
    correction = accepted(essay)
    html = client.get(essay.get_absolute_url()).content.decode()
    assert 'id="corrections"' in html and "Corrections and updates" in html
    assert f'id="correction-{correction.pk}"' in html
    assert "The year is 1862, not 1826." in html
    assert "Suggested by Ada Reader" in html
    when = timezone.localtime(correction.decided_at)
    assert f'<time datetime="{when.isoformat()}">{when:%B} {when.day}, {when.year}</time>' in html
    # At the end of the essay: after its notes, inside the article.
    assert html.index('id="footnotes-heading"') < html.index('id="corrections"')
    assert html.index('id="corrections"') < html.index("</article>")


def test_no_credit_without_consent(client: Client, essay: Post) -> None:
    accepted(essay, credit=False, name="Quiet Reader")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert "The year is 1862" in html and "Quiet Reader" not in html
    for url in ("/corrections/", "/corrections/feed/", "/feed/"):
        assert "Quiet Reader" not in client.get(url).content.decode()


def test_the_essay_json_ld_carries_each_correction(client: Client, essay: Post) -> None:
    first = accepted(essay, note="First note.")
    second = accepted(essay, note="Second note.")
    article = _json_ld(client.get(essay.get_absolute_url()).content.decode())
    assert article["@type"] == "BlogPosting"
    assert [item["@type"] for item in article["correction"]] == ["CorrectionComment"] * 2
    assert [item["text"] for item in article["correction"]] == ["First note.", "Second note."]
    assert article["correction"][0]["url"].endswith(f"#correction-{first.pk}")
    assert article["correction"][1]["datePublished"] == second.decided_at.isoformat()


def test_without_corrections_the_json_ld_has_none(client: Client, essay: Post) -> None:
    assert "correction" not in _json_ld(client.get(essay.get_absolute_url()).content.decode())


def test_the_article_names_where_to_suggest_a_correction(client: Client, essay: Post) -> None:
    html = client.get(essay.get_absolute_url()).content.decode()
    assert f'data-correct-url="{essay.get_absolute_url()}correct/"' in html
    page = PostFactory(kind=Post.Kind.PAGE, title="About", slug="about")
    assert "data-correct-url" not in client.get(page.get_absolute_url()).content.decode()


def test_a_script_in_a_note_is_text_everywhere(client: Client, essay: Post) -> None:
    accepted(essay, note=f"Fixed {SCRIPT}.", name=f"Eve {SCRIPT}")
    page = client.get(essay.get_absolute_url()).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;alert" in page
    assert _json_ld(page)["correction"][0]["text"] == f"Fixed {SCRIPT}."
    listing = client.get("/corrections/").content.decode()
    assert SCRIPT not in listing and "&lt;script&gt;alert" in listing
    feed = client.get("/corrections/feed/").content.decode()
    description = _xml(feed.encode()).find("channel/item/description")
    assert description is not None and SCRIPT not in (description.text or "")
    assert "&lt;script&gt;" in (description.text or "")


def test_the_feeds_show_the_correction_as_an_update(client: Client, essay: Post) -> None:
    correction = accepted(essay)
    atom = _xml(client.get("/feed/atom/").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = atom.find("a:entry", ns)
    assert entry is not None
    updated = entry.findtext("a:updated", namespaces=ns)
    assert updated is not None and updated.startswith(correction.decided_at.strftime("%Y-%m-%dT%H"))
    assert "The year is 1862, not 1826." in (entry.findtext("a:summary", namespaces=ns) or "")
    rss = client.get("/feed/").content.decode()
    assert "Corrections and updates" in rss and "The year is 1862" in rss
    feed = client.get("/feed/json/").json()
    assert feed["items"][0]["date_modified"] == correction.decided_at.isoformat()
    assert "The year is 1862" in feed["items"][0]["content_html"]


def test_a_feed_reader_is_told_of_the_update(client: Client, essay: Post) -> None:
    """The feed's ETag changes when a correction is published: no stale 304."""
    first = client.get("/feed/")
    accepted(essay)
    again = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


def test_the_site_wide_page_and_feed(client: Client, essay: Post, writer: Any) -> None:
    other = PostFactory(title="On tides", slug="on-tides", authors=[writer])
    older = accepted(essay, note="Older note.")
    newer = accepted(other, note="Newer note.")
    html = client.get("/corrections/").content.decode()
    assert html.index("Newer note.") < html.index("Older note.")
    assert f'href="{other.get_absolute_url()}#correction-{newer.pk}"' in html
    assert 'type="application/rss+xml"' in html and "/corrections/feed/" in html
    rss = _xml(client.get("/corrections/feed/").content)
    items = rss.findall("channel/item")
    assert [item.findtext("title") for item in items] == [
        "Correction to “On tides”", "Correction to “On harbours”"
    ]  # fmt: skip
    assert (
        items[1].findtext("link", "").endswith(f"{essay.get_absolute_url()}#correction-{older.pk}")
    )


def test_an_unpublished_essay_takes_its_corrections_off_the_lists(
    client: Client, essay: Post
) -> None:
    accepted(essay, note="A note on a post about to go private.")
    essay.status = Post.Status.PRIVATE
    post_save(post=essay)
    for url in ("/corrections/", "/corrections/feed/"):
        assert "about to go private" not in client.get(url).content.decode()


def test_the_site_wide_list_pages(client: Client, essay: Post, settings: Any) -> None:
    from broadsheet.corrections import views

    for number in range(views.PER_PAGE + 1):
        accepted(essay, note=f"Note number {number}.")
    first = client.get("/corrections/").content.decode()
    assert "Note number 20." in first and "Note number 0." not in first
    assert 'href="/corrections/page/2/"' in first
    assert "Note number 0." in client.get("/corrections/page/2/").content.decode()
    assert client.get("/corrections/page/3/").status_code == 404


def test_the_corrections_page_costs_a_fixed_number_of_queries(
    client: Client, essay: Post, django_assert_num_queries: Any
) -> None:
    for number in range(3):
        accepted(essay, note=f"Note {number}.")
    client.get("/corrections/")  # settings and the navigation cached
    # The count for the pager, then the corrections with their posts.
    with django_assert_num_queries(2):
        assert client.get("/corrections/").status_code == 200
