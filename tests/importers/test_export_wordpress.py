"""`broadsheet export wordpress`: WXR 1.2 that any XML parser reads, with every field WordPress's
importer uses, and what WordPress cannot hold (Markdown, references) in post meta."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from lxml import etree

from broadsheet.discussion.models import Comment
from broadsheet.importers.wxr_export import cdata, post_content_html, wordpress_export, xml_text
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment
from tests.importers.export_site import AWKWARD_CLEAN, Site, build_site

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings: Any) -> Site:
    settings.TIME_ZONE = "Europe/Berlin"
    settings.SITE_URL = "https://essays.example.org"
    return build_site()


def export(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "site.xml"
    out = io.StringIO()
    call_command("export", "wordpress", "--output", str(path), stdout=out, stderr=io.StringIO())
    return path, out.getvalue()


def text(element: Any, path: str) -> str:
    return str(element.findtext(path, namespaces=NS))


def item_for(tree: Any, post: Post) -> Any:
    [item] = tree.xpath(f"/rss/channel/item[wp:post_id={post.pk}]", namespaces=NS)
    return item


def comments_of(item: Any) -> dict[int, dict[str, str]]:
    return {
        int(text(c, "wp:comment_id")): {
            child.tag.split("}")[1]: child.text or ""
            for child in c
            if child.tag != f"{{{NS['wp']}}}commentmeta"
        }
        for c in item.findall("wp:comment", NS)
    }


def test_cdata_splits_its_end_marker_and_drops_what_xml_cannot_carry() -> None:
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"
    assert cdata("x\x00\x01\x0b\ufffey\t\n") == "<![CDATA[xy\t\n]]>"
    parsed = etree.fromstring(f"<t>{cdata('a]]>b]]>]]>c')}</t>".encode())
    assert parsed.text == "a]]>b]]>]]>c"


def test_the_channel_authors_and_terms(site: Site, tmp_path: Path) -> None:
    path, summary = export(tmp_path)
    assert summary.startswith(
        f"Wrote 8 authors, 4 categories, 2 tags, 4 posts, 2 pages, 9 comments to {path}"
    )
    tree = etree.parse(str(path))
    channel = tree.find("channel")
    assert text(channel, "title") == "Harbour Essays"
    assert text(channel, "link") == "https://essays.example.org"
    assert text(channel, "description") == "Long reads on ports & <trade>"
    assert text(channel, "language") == "en"  # LANGUAGE_CODE; "en-us" would be WordPress's "en-US"
    assert text(channel, "wp:wxr_version") == "1.2"
    assert text(channel, "wp:base_site_url") == text(channel, "wp:base_blog_url")
    parsedate_to_datetime(text(channel, "pubDate"))

    authors = {text(a, "wp:author_login"): a for a in channel.findall("wp:author", NS)}
    # The two authors, the account that commented, and each post's factory-made author.
    assert {"mhale", "jthornton", "reader"} <= set(authors)
    hale = authors["mhale"]
    assert text(hale, "wp:author_id") == str(site.hale.pk)
    assert text(hale, "wp:author_email") == "mhale@example.org"
    assert text(hale, "wp:author_display_name") == "Margaret Hale"
    assert text(hale, "wp:author_first_name") == "Margaret"
    assert text(hale, "wp:author_last_name") == "Hale"
    assert text(authors["reader"], "wp:author_display_name") == "Rita Reader"

    categories = [
        (text(c, "wp:category_nicename"), text(c, "wp:category_parent"), text(c, "wp:cat_name"))
        for c in channel.findall("wp:category", NS)
    ]
    # Parents first; WordPress needs slugs unique across the taxonomy.
    assert categories == [
        ("art", "", "Art"),
        ("history", "", "History"),
        ("modern", "art", "Modern art"),
        ("history-modern", "history", "Modern history"),
    ]
    tags = {text(t, "wp:tag_slug"): text(t, "wp:tag_name") for t in channel.findall("wp:tag", NS)}
    assert tags == {"sources": "sources", "bücher": "Bücher"}
    term_ids = [
        int(text(t, "wp:term_id")) for t in channel.xpath("wp:category|wp:tag", namespaces=NS)
    ]
    assert len(set(term_ids)) == len(term_ids)


def test_a_post_with_everything(site: Site, tmp_path: Path) -> None:
    path, _ = export(tmp_path)
    tree = etree.parse(str(path))
    essay = site.essay
    item = item_for(tree, essay)
    assert text(item, "title") == f"Harbours {AWKWARD_CLEAN}"
    assert text(item, "link") == f"https://essays.example.org{essay.get_absolute_url()}"
    assert parsedate_to_datetime(text(item, "pubDate")) == essay.published_at
    assert text(item, "dc:creator") == "mhale"
    guid = item.find("guid")
    assert (
        guid.get("isPermaLink") == "false"
        and guid.text == f"https://essays.example.org/?p={essay.pk}"
    )
    # 09:30 UTC is 11:30 in Berlin in May.
    assert text(item, "wp:post_date") == "2024-05-01 11:30:00"
    assert text(item, "wp:post_date_gmt") == "2024-05-01 09:30:00"
    modified = essay.modified_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert text(item, "wp:post_modified_gmt") == modified
    assert text(item, "wp:post_modified") != modified  # local time, two hours ahead
    assert text(item, "wp:comment_status") == "open"
    assert text(item, "wp:post_name") == "harbours"
    assert text(item, "wp:status") == "publish"
    assert text(item, "wp:post_parent") == "0"
    assert text(item, "wp:post_type") == "post"
    assert text(item, "wp:post_password") == ""
    assert text(item, "wp:is_sticky") == "1"
    assert text(item, "excerpt:encoded") == "<p>A <em>short</em> summary.</p>"

    content = text(item, "content:encoded")
    assert content.startswith("<!-- wp:html -->\n") and content.endswith("\n<!-- /wp:html -->")
    assert xml_text(post_content_html(essay)) in content
    assert xml_text(essay.body_html.strip()) in content
    assert "Ünïcödé" in content and "]]&gt; end done" in content
    assert "The note, with ]]&gt; inside." in content or "The note, with ]]> inside." in content
    assert content.index("<h2>References</h2>") < content.index("<h2>Notes</h2>")
    # Chicago author–date (the default style) writes titles in title case.
    assert "A History of Harbours" in content and "Port Statistics" in content

    terms = {(c.get("domain"), c.get("nicename"), c.text) for c in item.findall("category")}
    assert terms == {
        ("category", "history-modern", "Modern history"),
        ("category", "modern", "Modern art"),
        ("post_tag", "sources", "sources"),
        ("post_tag", "bücher", "Bücher"),
    }
    meta = {
        text(m, "wp:meta_key"): text(m, "wp:meta_value") for m in item.findall("wp:postmeta", NS)
    }
    assert meta["_broadsheet_markdown"] == xml_text(essay.body)
    assert AWKWARD_CLEAN in meta["_broadsheet_markdown"]
    references = json.loads(meta["_broadsheet_references"])
    assert [r["title"] for r in references] == ["A History of Harbours", "Port statistics"]
    assert references[1]["accessed"] == "2024-04-02"
    assert references[1]["contributors"] == {"author": [{"literal": "Port Authority"}]}
    assert references[1]["kind"] == "webpage" and references[1]["issued"] == "2023-11"
    assert json.loads(meta["_broadsheet_authors"]) == ["mhale", "jthornton"]

    # The featured image is an attachment item of the post, as WordPress exports it.
    attachment_id = meta["_thumbnail_id"]
    [attachment] = tree.xpath(f"/rss/channel/item[wp:post_id={attachment_id}]", namespaces=NS)
    assert text(attachment, "wp:post_type") == "attachment"
    assert text(attachment, "wp:post_parent") == str(essay.pk)
    assert text(attachment, "wp:attachment_url") == "https://cdn.example.org/harbour.jpg"
    assert int(attachment_id) not in Post.objects.values_list("pk", flat=True)


def test_every_comment_with_its_status_kind_thread_and_author(site: Site, tmp_path: Path) -> None:
    path, _ = export(tmp_path)
    tree = etree.parse(str(path))
    exported = comments_of(item_for(tree, site.essay))
    stored = Comment.objects.filter(post=site.essay)
    assert set(exported) == set(stored.values_list("pk", flat=True))
    approved = {"approved": "1", "pending": "0", "spam": "spam", "trash": "trash"}
    for comment in stored:
        row = exported[comment.pk]
        assert row["comment_approved"] == approved[comment.status]
        assert row["comment_parent"] == str(comment.parent_id or 0)
        assert row["comment_date_gmt"] == comment.created_at.astimezone(UTC).strftime(
            "%Y-%m-%d %H:%M:%S"
        )
        assert row["comment_author_IP"] == (comment.ip_address or "")
        assert row["comment_type"] == ("comment" if comment.kind == "comment" else comment.kind)

    guest = exported[site.comments["guest"].pk]
    assert guest["comment_author"] == "Ann Guest"
    assert guest["comment_author_email"] == "ann@example.org"
    assert guest["comment_author_url"] == "https://ann.example.net/"
    assert guest["comment_author_IP"] == "203.0.113.7"
    assert guest["comment_date"] == "2024-05-02 14:30:00"  # Berlin
    assert guest["comment_date_gmt"] == "2024-05-02 12:30:00"
    assert guest["comment_content"] == f"First!\n\nSecond paragraph {AWKWARD_CLEAN}"
    assert guest["comment_user_id"] == "0"

    account = exported[site.comments["account"].pk]
    assert account["comment_user_id"] == str(site.reader.pk)
    assert account["comment_author"] == "Rita Reader"
    assert account["comment_author_email"] == "reader@example.net"

    assert exported[site.comments["pingback"].pk]["comment_type"] == "pingback"
    removed = item_for(tree, site.essay).xpath(
        f"wp:comment[wp:comment_id={site.comments['removed'].pk}]/wp:commentmeta/wp:meta_key",
        namespaces=NS,
    )
    assert [m.text for m in removed] == ["_broadsheet_removed"]
    assert exported[site.comments["under_removed"].pk]["comment_parent"] == str(
        site.comments["removed"].pk
    )


def test_drafts_scheduled_private_and_nested_pages(site: Site, tmp_path: Path) -> None:
    path, _ = export(tmp_path)
    tree = etree.parse(str(path))
    draft = item_for(tree, site.draft)
    assert text(draft, "wp:status") == "draft"
    assert text(draft, "wp:post_date_gmt") == "0000-00-00 00:00:00"
    assert text(draft, "wp:post_date") != "0000-00-00 00:00:00"
    scheduled = item_for(tree, site.scheduled)
    assert text(scheduled, "wp:status") == "future"
    assert text(scheduled, "wp:post_date_gmt") == "2031-01-01 08:00:00"
    assert text(scheduled, "wp:comment_status") == "closed"
    assert text(item_for(tree, site.private), "wp:status") == "private"
    about, team = item_for(tree, site.about), item_for(tree, site.team)
    assert text(about, "wp:post_type") == text(team, "wp:post_type") == "page"
    assert text(team, "wp:post_parent") == str(site.about.pk)
    assert text(team, "wp:menu_order") == "2"
    assert text(team, "link") == "https://essays.example.org/about/team/"
    assert comments_of(about)[site.comments["on_page"].pk]["comment_content"] == "Nice page."


def test_an_empty_site_exports_a_valid_file(tmp_path: Path) -> None:
    path, summary = export(tmp_path)
    assert summary.startswith("Wrote nothing to")
    tree = etree.parse(str(path))
    assert tree.find("channel/wp:wxr_version", NS).text == "1.2"
    assert tree.findall("channel/item") == []


def test_the_export_is_written_as_a_stream() -> None:
    """Piece by piece as rows are read, never the whole document at once."""
    post = PostFactory()
    parent = None
    for n in range(200):
        parent = approved_comment(post, parent=parent if n % 3 else None, body="x" * 1000)
    out = _Recorder()
    wordpress_export(output=out)
    assert sum(out.sizes) > 200_000
    assert len(out.sizes) > 200 and max(out.sizes) < 5_000


class _Recorder(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return len(text)


def test_dates_are_rfc_2822_and_utc(site: Site, tmp_path: Path) -> None:
    path, _ = export(tmp_path)
    tree = etree.parse(str(path))
    for item in tree.findall("channel/item"):
        moment = parsedate_to_datetime(text(item, "pubDate"))
        assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
        assert moment <= datetime(2032, 1, 1, tzinfo=UTC)
