"""`broadsheet import wordpress`: the reference WordPress's own export lands completely and
exactly; the rest of WXR (footnotes, classic text, statuses, kinds, threads) and bad files."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from lxml import etree

from broadsheet.discussion.models import Comment
from broadsheet.importers.models import ImportedObject
from broadsheet.publishing.models import Category, Post, PostRedirect, Tag
from tests.html_safety import assert_harmless, assert_no_script

# The reference WordPress's export (../shared/peers/wordpress/seed-site.wxr.xml), kept here
# compressed so the tests do not depend on where the checkout lives.
SEED_GZ = Path(__file__).parent / "data" / "seed-site.wxr.xml.gz"
WP = "http://wordpress.org/export/1.2/"
NS = {"wp": WP, "dc": "http://purl.org/dc/elements/1.1/"}
STATUS = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash"}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wxr") / "seed-site.wxr.xml"
    path.write_bytes(gzip.decompress(SEED_GZ.read_bytes()))
    return path


def run(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("import", "wordpress", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def gmt(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def ours(kind: str, source_id: str) -> int:
    return ImportedObject.objects.get(kind=kind, source_id=source_id).object_id


def test_the_reference_wordpress_export_lands_completely_and_exactly(seed: Path) -> None:
    report = run(seed)
    assert (
        "Imported 2 authors, 3 categories, 2 tags, 1 pages, 2 posts, 6 accounts, 2,187 comments."
        in report
    )

    tree = etree.parse(str(seed))  # read independently, all at once
    items = tree.findall("channel/item")
    assert Post.objects.count() == len(items) == 3
    for item in items:
        post = Post.objects.get(pk=ours("post", item.findtext("wp:post_id", namespaces=NS)))
        assert post.title == item.findtext("title")
        assert post.slug == item.findtext("wp:post_name", namespaces=NS)
        assert post.kind == item.findtext("wp:post_type", namespaces=NS)
        status = item.findtext("wp:status", namespaces=NS)
        assert post.status == {"publish": "published", "draft": "draft"}[status]
        if status == "publish":
            assert post.published_at == gmt(item.findtext("wp:post_date_gmt", namespaces=NS))
        assert [a.username for a in post.authors.all()] == [
            item.findtext("dc:creator", namespaces=NS)
        ]
        assert sorted(post.categories.values_list("slug", flat=True)) == sorted(
            c.get("nicename") for c in item.findall("category[@domain='category']")
        )
        assert sorted(post.tags.values_list("slug", flat=True)) == sorted(
            c.get("nicename") for c in item.findall("category[@domain='post_tag']")
        )
        comments = item.findall("wp:comment", NS)
        assert Comment.objects.filter(post=post).count() == len(comments)
        for element in comments:
            text = {child.tag.split("}")[1]: child.text or "" for child in element}
            comment = Comment.objects.get(pk=ours("comment", text["comment_id"]))
            assert comment.post_id == post.pk
            assert comment.author_name == text["comment_author"]
            assert comment.author_email == text["comment_author_email"]
            assert comment.author_url == text["comment_author_url"]
            assert comment.ip_address == text["comment_author_IP"]
            assert comment.created_at == gmt(text["comment_date_gmt"])
            assert comment.status == STATUS[text["comment_approved"]]
            assert comment.body == text["comment_content"].strip()
            assert comment.kind == "comment"
            if text["comment_parent"] == "0":
                assert comment.parent_id is None and comment.thread_id == comment.pk
            else:
                parent = Comment.objects.get(pk=ours("comment", text["comment_parent"]))
                assert comment.parent_id == parent.pk
                assert comment.depth == parent.depth + 1
                assert comment.thread_id == parent.thread_id
            if text["comment_user_id"] == "0":
                assert comment.user_id is None
            else:  # an exported author, or a registered reader, now a Subscriber here
                assert comment.user is not None
                assert comment.user.email == text["comment_author_email"]
                roles = set(comment.user.groups.values_list("name", flat=True))
                exported_authors = ("admin", "kmiller")  # the file's wp:author list
                expected = "Author" if comment.user.username in exported_authors else "Subscriber"
                assert roles == {expected}
        approved = sum(
            1 for c in comments if c.findtext("wp:comment_approved", namespaces=NS) == "1"
        )
        assert post.comment_count == approved


def test_a_second_run_changes_nothing_and_says_so_and_a_dry_run_writes_nothing(seed: Path) -> None:
    dry = run(seed, "--dry-run")
    assert (
        "Would import 2 authors, 3 categories, 2 tags, 1 pages, 2 posts, 6 accounts, 2,187 comments."
        in dry
    )
    assert not Post.objects.exists() and not Comment.objects.exists()
    run(seed)
    counts = (Post.objects.count(), Comment.objects.count(), ImportedObject.objects.count())
    again = run(seed)
    assert again.startswith("Nothing to change: everything in the file is already here")
    assert (Post.objects.count(), Comment.objects.count(), ImportedObject.objects.count()) == counts


def test_old_wordpress_addresses_answer_with_a_301(client: Client, seed: Path) -> None:
    run(seed)
    essay = Post.objects.get(slug="contextualizing-stalinism")
    response = client.get("/?p=4")
    assert response.status_code == 301 and response["Location"] == essay.get_absolute_url()
    assert client.get("/?page_id=3").status_code == 404  # a draft stays hidden
    assert client.get("/?p=999").status_code == 404
    page = client.get(essay.get_absolute_url())
    assert page.status_code == 200
    assert "177 thoughts on" in page.content.decode()


def wxr(items: str, *, authors: str = "", terms: str = "", namespace: str = WP) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- generator="WordPress/6.5" created="2024-05-02 10:00" -->
<rss version="2.0" xmlns:excerpt="{namespace}excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="{namespace}">
<channel>
  <title>Old Essays</title><link>https://old.example.org</link><description>d</description>
  <wp:wxr_version>{namespace.rstrip("/").rsplit("/", 1)[1]}</wp:wxr_version>
  <wp:base_site_url>https://old.example.org</wp:base_site_url>
  <wp:base_blog_url>https://old.example.org</wp:base_blog_url>
  <wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[jdoe]]></wp:author_login><wp:author_email><![CDATA[jdoe@example.org]]></wp:author_email><wp:author_display_name><![CDATA[Jane Doe]]></wp:author_display_name><wp:author_first_name><![CDATA[Jane]]></wp:author_first_name><wp:author_last_name><![CDATA[Doe]]></wp:author_last_name></wp:author>
  {authors}
  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename><![CDATA[history]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[History]]></wp:cat_name></wp:category>
  <wp:category><wp:term_id>4</wp:term_id><wp:category_nicename><![CDATA[maritime]]></wp:category_nicename><wp:category_parent><![CDATA[history]]></wp:category_parent><wp:cat_name><![CDATA[Maritime &amp; Naval]]></wp:cat_name></wp:category>
  <wp:tag><wp:term_id>7</wp:term_id><wp:tag_slug><![CDATA[sources]]></wp:tag_slug><wp:tag_name><![CDATA[Sources]]></wp:tag_name></wp:tag>
  {terms}
  {items}
</channel>
</rss>
"""


def item(
    post_id: int,
    *,
    title: str = "An essay",
    name: str = "",
    content: str = "<!-- wp:paragraph --><p>Body.</p><!-- /wp:paragraph -->",
    status: str = "publish",
    post_type: str = "post",
    extra: str = "",
    comments: str = "",
    date_gmt: str = "2024-05-01 09:30:00",
) -> str:
    return f"""<item><title><![CDATA[{title}]]></title>
  <link>https://old.example.org/essays/{name or post_id}/</link>
  <dc:creator><![CDATA[jdoe]]></dc:creator>
  <guid isPermaLink="false">https://old.example.org/?p={post_id}</guid>
  <content:encoded><![CDATA[{content}]]></content:encoded>
  <excerpt:encoded><![CDATA[]]></excerpt:encoded>
  <wp:post_id>{post_id}</wp:post_id>
  <wp:post_date><![CDATA[2024-05-01 11:30:00]]></wp:post_date><wp:post_date_gmt><![CDATA[{date_gmt}]]></wp:post_date_gmt>
  <wp:comment_status><![CDATA[open]]></wp:comment_status><wp:post_name><![CDATA[{name}]]></wp:post_name>
  <wp:status><![CDATA[{status}]]></wp:status><wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>
  <wp:post_type><![CDATA[{post_type}]]></wp:post_type><wp:post_password><![CDATA[]]></wp:post_password>
  <wp:is_sticky>0</wp:is_sticky>
  {extra}
  {comments}
</item>"""


def comment(
    comment_id: int,
    *,
    parent: int = 0,
    approved: str = "1",
    kind: str = "comment",
    content: str = "A reply.",
    user_id: int = 0,
    email: str = "ann@example.net",
) -> str:
    return f"""<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>
  <wp:comment_author><![CDATA[Ann Reader]]></wp:comment_author>
  <wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email>
  <wp:comment_author_url>https://ann.example.net/</wp:comment_author_url>
  <wp:comment_author_IP><![CDATA[203.0.113.7]]></wp:comment_author_IP>
  <wp:comment_date><![CDATA[2024-05-01 12:00:00]]></wp:comment_date><wp:comment_date_gmt><![CDATA[2024-05-01 10:00:{comment_id % 60:02d}]]></wp:comment_date_gmt>
  <wp:comment_content><![CDATA[{content}]]></wp:comment_content>
  <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved><wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
  <wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>{user_id}</wp:comment_user_id>
</wp:comment>"""


def write(tmp_path: Path, text: str, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


FOOTNOTED = (
    '<!-- wp:paragraph --><p>A claim.<sup data-fn="f1" class="fn"><a href="#f1" id="f1-link">1</a></sup>'
    ' Another.<sup data-fn="f2" class="fn"><a href="#f2" id="f2-link">2</a></sup></p><!-- /wp:paragraph -->'
    '<!-- wp:heading --><h2 class="wp-block-heading">Sources</h2><!-- /wp:heading -->'
    "<!-- wp:footnotes /-->"
)
FOOTNOTES_META = (
    "<wp:postmeta><wp:meta_key><![CDATA[footnotes]]></wp:meta_key><wp:meta_value><![CDATA["
    '[{"id":"f1","content":"Smith, <em>Press History</em>, 1999."},{"id":"f2","content":"Jones 2004."}]'
    "]]></wp:meta_value></wp:postmeta>"
)


def test_block_markup_and_footnotes_become_markdown_and_our_footnotes(tmp_path: Path) -> None:
    run(write(tmp_path, wxr(item(42, name="claims", content=FOOTNOTED, extra=FOOTNOTES_META))))
    post = Post.objects.get(slug="claims")
    assert "<!--" not in post.body
    assert "A claim.[^1] Another.[^2]" in post.body
    assert "[^1]: Smith, *Press History*, 1999." in post.body
    assert "## Sources" in post.body
    assert "Press History" in post.footnotes_html and "<em>" in post.footnotes_html
    assert post.toc[0]["text"] == "Sources"


def test_classic_editor_text_gets_its_paragraphs_and_line_breaks(tmp_path: Path) -> None:
    classic = "First paragraph,\nsame paragraph new line.\n\nSecond paragraph.\n\n<blockquote>Quoted.</blockquote>"
    run(write(tmp_path, wxr(item(43, name="classic", content=classic))))
    html = Post.objects.get(slug="classic").body_html
    assert html.count("<p") >= 3
    assert "<br" in html
    assert "<blockquote>" in html


def test_statuses_types_stickiness_and_featured_images(tmp_path: Path) -> None:
    thumb = "<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[90]]></wp:meta_value></wp:postmeta>"
    items = "".join(
        [
            item(50, name="live", extra=thumb).replace("<wp:is_sticky>0", "<wp:is_sticky>1"),
            item(51, name="later", status="future", date_gmt="2099-01-01 00:00:00"),
            item(52, name="private", status="private"),
            item(53, name="drafty", status="draft", date_gmt="0000-00-00 00:00:00"),
            item(54, name="binned", status="trash"),
            item(55, name="menu", post_type="nav_menu_item"),
            item(56, name="about", post_type="page"),
            item(90, name="photo", post_type="attachment", status="inherit").replace(
                "<wp:is_sticky>",
                "<wp:attachment_url>https://old.example.org/photo.jpg</wp:attachment_url><wp:is_sticky>",
            ),
        ]
    )
    report = run(write(tmp_path, wxr(items)))
    by_slug = {p.slug: p for p in Post.objects.all()}
    assert set(by_slug) == {"live", "later", "private", "drafty", "about"}
    assert by_slug["live"].sticky and by_slug["live"].status == "published"
    assert by_slug["live"].featured_image == "https://old.example.org/photo.jpg"
    assert by_slug["later"].status == "scheduled"
    assert by_slug["private"].status == "private"
    assert by_slug["drafty"].status == "draft" and by_slug["drafty"].published_at is None
    assert by_slug["about"].kind == "page"
    assert "its status is 'trash'" in report
    assert "post type 'nav_menu_item' is not imported" in report


def test_comment_threads_statuses_kinds_and_accounts(tmp_path: Path) -> None:
    comments = "".join(
        [
            comment(101),
            comment(102, parent=101, user_id=2, email="jdoe@example.org"),
            comment(103, parent=102, approved="0"),
            comment(104, approved="spam"),
            comment(105, approved="trash"),
            comment(106, kind="pingback", content="Linked from elsewhere"),
            comment(107, kind="trackback"),
            comment(108, kind="note", content="Editorial note"),
            comment(109, parent=777),  # its parent is not in the file
            comment(101),  # the same id twice
        ]
    )
    report = run(write(tmp_path, wxr(item(60, name="talk", comments=comments))))
    post = Post.objects.get(slug="talk")
    by_id = {c.created_at.second: c for c in Comment.objects.filter(post=post)}
    assert set(by_id) == {
        101 % 60,
        102 % 60,
        103 % 60,
        104 % 60,
        105 % 60,
        106 % 60,
        107 % 60,
        109 % 60,
    }
    first, reply, deeper = by_id[101 % 60], by_id[102 % 60], by_id[103 % 60]
    assert (reply.parent_id, reply.depth, reply.thread_id) == (first.pk, 1, first.pk)
    assert (deeper.parent_id, deeper.depth, deeper.status) == (reply.pk, 2, "pending")
    assert reply.user is not None and reply.user.username == "jdoe"
    assert by_id[104 % 60].status == "spam" and by_id[105 % 60].status == "trash"
    assert by_id[106 % 60].kind == "pingback" and by_id[107 % 60].kind == "trackback"
    assert by_id[109 % 60].parent_id is None
    assert "answers comment 777, which is not in the file" in report
    assert "comment 101 appears twice" in report
    assert "editorial notes are not part of the public discussion" in report
    assert post.comment_count == 5  # 101, 102, 106, 107 and 109


def test_an_old_permalink_a_unicode_slug_and_wxr_1_0(tmp_path: Path, client: Client) -> None:
    text = wxr(
        item(70, name="%d1%81%d0%bb%d0%be%d0%b2%d0%be", title="Слово"),
        namespace="http://wordpress.org/export/1.0/",
    )
    report = run(write(tmp_path, text))
    assert "Imported" in report
    post = Post.objects.get(slug="слово")
    old = "/essays/%D1%81%D0%BB%D0%BE%D0%B2%D0%BE/"
    assert PostRedirect.objects.filter(post=post, old_path="/essays/слово/").exists()
    response = client.get(old)
    assert response.status_code == 301
    assert client.get(response["Location"]).status_code == 200


def test_categories_keep_their_parents_and_tags_their_names(tmp_path: Path) -> None:
    extra = '<category domain="category" nicename="maritime"><![CDATA[Maritime &amp; Naval]]></category><category domain="post_tag" nicename="sources"><![CDATA[Sources]]></category>'
    run(write(tmp_path, wxr(item(71, name="ships", extra=extra))))
    maritime = Category.objects.get(slug="maritime")
    assert maritime.parent is not None and maritime.parent.slug == "history"
    assert maritime.path == "history/maritime" and maritime.name == "Maritime & Naval"
    post = Post.objects.get(slug="ships")
    assert list(post.categories.all()) == [maritime]
    assert Tag.objects.get(slug="sources").name == "Sources"


HOSTILE = '<p>Fine.</p><script>alert(1)</script><p onclick="alert(2)">Click</p><a href="javascript:alert(3)">x</a><iframe src="https://evil.example"></iframe>'


def test_hostile_html_in_posts_and_comments_is_sanitised(tmp_path: Path, client: Client) -> None:
    comments = comment(
        201, content='Nice <script>alert(4)</script><a href="javascript:alert(5)">me</a>'
    )
    run(write(tmp_path, wxr(item(72, name="hostile", content=HOSTILE, comments=comments))))
    post = Post.objects.get(slug="hostile")
    assert_no_script(post.body_html)
    assert_harmless(Comment.objects.get(post=post).body_html)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "alert(1)</script>" not in page and "alert(4)</script>" not in page
    assert "Fine." in page and "Nice" in page


def test_an_interrupted_import_resumes_after_its_last_whole_item(tmp_path: Path) -> None:
    items = "".join(item(n, name=f"essay-{n}", comments=comment(n * 10)) for n in range(80, 86))
    full = wxr(items)
    cut = full[: full.index("essay-84")]  # inside the fifth item
    with pytest.raises(CommandError, match=r"line \d+: the XML is broken"):
        run(write(tmp_path, cut, "cut.xml"))
    done = set(Post.objects.values_list("slug", flat=True))
    assert done == {"essay-80", "essay-81", "essay-82", "essay-83"}  # whole items only
    assert Comment.objects.count() == 4
    report = run(write(tmp_path, full))
    assert "Imported 2 posts, 2 comments." in report
    assert (
        "Already here, unchanged: 1 authors, 2 categories, 1 tags, 4 posts, 4 comments." in report
    )
    assert Post.objects.count() == 6 and Comment.objects.count() == 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><rss>&lol2;</rss>',
            "declares a DOCTYPE or entities",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file:///etc/passwd"><rss/>',
            "declares a DOCTYPE",
        ),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title></channel></rss>',
            "this is an RSS feed, not an export",
        ),
        (
            b'<?xml version="1.0"?><html><body>Not XML we know</body></html>',
            "not a WordPress export",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "the XML is broken"),
        (
            '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Caf\xe9</title>'.encode(
                "latin-1"
            ),
            "the XML is broken",
        ),
    ],
    ids=["empty", "entity-bomb", "external-dtd", "plain-rss", "html", "binary", "wrong-encoding"],
)
def test_bad_files_get_a_clear_message_and_write_nothing(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert not Post.objects.exists() and not Comment.objects.exists()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.xml")


def test_our_own_markdown_and_references_come_back_from_our_export(tmp_path: Path) -> None:
    meta = (
        "<wp:postmeta><wp:meta_key><![CDATA[_broadsheet_markdown]]></wp:meta_key><wp:meta_value><![CDATA["
        "Our **own** words.[^1]\n\n[^1]: A note.\n]]></wp:meta_value></wp:postmeta>"
        "<wp:postmeta><wp:meta_key><![CDATA[_broadsheet_references]]></wp:meta_key><wp:meta_value><![CDATA["
        '[{"kind": "book", "key": "marsh-1998", "title": "Harbours", "publisher": "Harbour Press", "issued": "1998",'
        ' "contributors": {"author": [{"family": "Marsh", "given": "Edith"}]}, "unknown_field": 1}]'
        "]]></wp:meta_value></wp:postmeta>"
    )
    run(write(tmp_path, wxr(item(73, name="ours", extra=meta))))
    post = Post.objects.get(slug="ours")
    assert post.body.startswith("Our **own** words.[^1]")
    reference = post.references.get()
    assert (reference.key, reference.title, reference.issued) == ("marsh-1998", "Harbours", "1998")
    assert "Marsh" in reference.html


def test_a_stopped_import_of_the_same_file_resumes_from_its_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broadsheet.importers import wordpress
    from broadsheet.importers.models import ImportRun

    path = write(tmp_path, wxr("".join(item(n, name=f"part-{n}") for n in range(1, 6))))
    real = wordpress._Importer.item

    def stop_at_the_fourth(self: Any, record: Any) -> None:
        if record.index == 3:
            raise KeyboardInterrupt  # Ctrl-C, a killed process
        real(self, record)

    monkeypatch.setattr(wordpress._Importer, "item", stop_at_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        run(path)
    assert Post.objects.count() == 3
    assert ImportRun.objects.get().checkpoint == 3
    monkeypatch.setattr(wordpress._Importer, "item", real)
    report = run(path)
    assert "Imported 2 posts." in report
    assert "3 posts" in report.splitlines()[1]  # already here
    run_row = ImportRun.objects.get()  # the same run, finished
    assert (run_row.status, run_row.checkpoint) == ("done", 5)
    assert Post.objects.count() == 5


def test_replies_below_a_missing_comment_keep_their_own_thread(tmp_path: Path) -> None:
    comments = "".join(
        [
            comment(303, parent=302),  # listed before its parent
            comment(302, parent=301),
            comment(301, parent=999),  # 999 is not in the file
            comment(401, parent=402),  # two replies answering each other
            comment(402, parent=401),
        ]
    )
    report = run(write(tmp_path, wxr(item(75, name="chain", comments=comments))))
    by_source = {
        source: Comment.objects.get(pk=ours("comment", source))
        for source in ("301", "302", "303", "401", "402")
    }
    top, middle, bottom = by_source["301"], by_source["302"], by_source["303"]
    assert top.parent_id is None and top.thread_id == top.pk
    assert (middle.parent_id, middle.depth, middle.thread_id) == (top.pk, 1, top.pk)
    assert (bottom.parent_id, bottom.depth, bottom.thread_id) == (middle.pk, 2, top.pk)
    assert "answers comment 999, which is not in the file" in report
    assert "answers comment 301" not in report
    assert by_source["401"].parent_id is None or by_source["402"].parent_id is None
    assert "circle of replies" in report


def test_imported_posts_are_not_news_to_subscribers(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from broadsheet.notifications.models import OutgoingEmail, Subscription

    Subscription.objects.create(
        email="reader@example.org",
        kind=Subscription.Kind.POSTS,
        status=Subscription.Status.ACTIVE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(write(tmp_path, wxr(item(76, name="old-news"))))
    assert Post.objects.get(slug="old-news").status == "published"
    assert not DBTaskResult.objects.filter(task_path__endswith="fan_out_new_post").exists()
    assert not OutgoingEmail.objects.exists()
