"""What real exports hold that our own test files did not: WordPress.com's https:// namespaces,
Unicode category slugs percent-encoded in parents, comments on attachment pages, and a Disqus
file none of whose threads is a post here."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from broadsheet.discussion.models import Comment
from broadsheet.importers.models import ImportedObject
from broadsheet.publishing.models import Category, Post
from tests.factories import PostFactory
from tests.importers.test_wordpress import comment, item, run, write, wxr

pytestmark = pytest.mark.django_db

# The head of an export from WordPress.com (Tools → Export there): its own namespaces with
# https://, and channel elements a self-hosted WordPress does not write.
WPCOM = "https://wordpress.org/export/1.2/"


def wordpress_com(items: str, terms: str = "") -> str:
    """After the terms, WordPress.com's rss2_head: generator, cloud, image, atom links."""
    head = (
        "<generator>http://wordpress.com/</generator>"
        "<cloud domain='oldessays.wordpress.com' port='80' path='/?rsscloud=notify' "
        "registerProcedure='' protocol='http-post' />"
        "<image><url>https://s0.wp.com/i/buttonw-com.png</url><title>Old Essays</title>"
        "<link>https://oldessays.wordpress.com</link></image>"
        '<atom:link rel="search" type="application/opensearchdescription+xml" '
        'href="https://oldessays.wordpress.com/osd.xml" title="Old Essays" />'
    )
    text = wxr(items, terms=terms + head, namespace=WPCOM)
    # WordPress.com names itself as the "site" and the blog as the blog.
    text = text.replace(
        "<wp:base_site_url>https://old.example.org</wp:base_site_url>",
        "<wp:base_site_url>http://wordpress.com/</wp:base_site_url>",
    ).replace(
        "<wp:base_blog_url>https://old.example.org</wp:base_blog_url>",
        "<wp:base_blog_url>https://oldessays.wordpress.com</wp:base_blog_url>",
    )
    return text.replace("<rss ", '<rss xmlns:atom="http://www.w3.org/2005/Atom" ', 1)


def test_a_wordpress_com_export_with_https_namespaces_is_imported(tmp_path: Path) -> None:
    excerpt = "<excerpt:encoded><![CDATA[<p>What the essay argues.</p>]]></excerpt:encoded>"
    text = wordpress_com(
        item(80, name="from-dotcom", comments=comment(301) + comment(302, parent=301)).replace(
            "<excerpt:encoded><![CDATA[]]></excerpt:encoded>", excerpt
        )
    )
    assert 'xmlns:wp="https://wordpress.org/export/1.2/"' in text
    assert 'xmlns:excerpt="https://wordpress.org/export/1.2/excerpt/"' in text

    report = run(write(tmp_path, text))

    assert "Imported 1 authors, 2 categories, 1 tags, 1 posts, 2 comments." in report
    # WordPress.com calls itself every blog's site: the blog is the source remembered.
    assert ImportedObject.objects.filter(
        source="wordpress:https://oldessays.wordpress.com", kind="post", source_id="80"
    ).exists()
    post = Post.objects.get(slug="from-dotcom")
    assert post.excerpt == "What the essay argues."
    assert [a.username for a in post.authors.all()] == ["jdoe"]
    reply = Comment.objects.get(post=post, parent__isnull=False)
    assert reply.parent is not None and reply.parent.post == post


def test_the_uri_bound_to_the_wp_prefix_is_read_whatever_its_version(tmp_path: Path) -> None:
    text = wxr(item(81, name="newer"), namespace="https://wordpress.org/export/1.3/")
    assert "Imported" in run(write(tmp_path, text))
    assert Post.objects.filter(slug="newer").exists()


def test_an_rss_feed_is_still_refused_as_one(tmp_path: Path) -> None:
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    with pytest.raises(Exception, match="this is an RSS feed, not an export"):
        run(write(tmp_path, feed))


def category(term_id: int, slug: str, name: str, parent: str = "") -> str:
    return (
        f"<wp:category><wp:term_id>{term_id}</wp:term_id>"
        f"<wp:category_nicename><![CDATA[{slug}]]></wp:category_nicename>"
        f"<wp:category_parent><![CDATA[{parent}]]></wp:category_parent>"
        f"<wp:cat_name><![CDATA[{name}]]></wp:cat_name></wp:category>"
    )


# Eight categories as a German/Russian/Arabic/Japanese site exported them: WordPress writes a
# Unicode slug percent-encoded, in the category's own nicename and in its children's parent.
PHILOSOPHY = "%d1%84%d0%b8%d0%bb%d0%be%d1%81%d0%be%d1%84%d0%b8%d1%8f"  # философия
HISTORY_AR = "%d8%aa%d8%a7%d8%b1%d9%8a%d8%ae"  # تاريخ
LITERATURE_JA = "%e6%96%87%e5%ad%a6"  # 文学
BOOKS_DE = "b%c3%bccher"  # bücher
MULTILINGUAL = "".join(
    [
        category(10, PHILOSOPHY, "Философия"),
        category(11, "%d1%8d%d1%82%d0%b8%d0%ba%d0%b0", "Этика", PHILOSOPHY),  # этика
        category(12, HISTORY_AR, "تاريخ"),
        category(13, "%d8%a3%d9%86%d8%af%d9%84%d8%b3", "أندلس", HISTORY_AR),  # أندلس
        category(14, LITERATURE_JA, "文学"),
        category(15, "%e8%a9%a9", "詩", LITERATURE_JA),  # 詩
        category(16, BOOKS_DE, "Bücher"),
        category(17, "romane", "Romane", BOOKS_DE),
    ]
)


def test_categories_whose_parents_are_percent_encoded_unicode_slugs_keep_their_place(
    tmp_path: Path,
) -> None:
    report = run(write(tmp_path, wxr("", terms=MULTILINGUAL)))

    assert "is not in the file" not in report
    parents = {c.slug: c.parent.slug if c.parent else None for c in Category.objects.all()}
    assert parents["этика"] == "философия"
    assert parents["أندلس"] == "تاريخ"
    assert parents["詩"] == "文学"
    assert parents["romane"] == "bücher"
    assert Category.objects.get(slug="詩").path == "文学/詩"


def attachment(post_id: int, parent: int, comments: str = "", url: str = "") -> str:
    url = url or f"https://old.example.org/wp-content/uploads/photo-{post_id}.jpg"
    return (
        item(post_id, name=f"photo-{post_id}", post_type="attachment", status="inherit")
        .replace("<wp:post_parent>0</wp:post_parent>", f"<wp:post_parent>{parent}</wp:post_parent>")
        .replace("<wp:is_sticky>", f"<wp:attachment_url>{url}</wp:attachment_url><wp:is_sticky>")
        .replace("</item>", f"{comments}</item>")
    )


def test_comments_on_an_attachment_page_go_under_the_post_it_belongs_to(tmp_path: Path) -> None:
    items = (
        # Before its post in the file, and after it: both find the post.
        attachment(91, parent=90, comments=comment(401) + comment(402, parent=401))
        + item(90, name="harbour", comments=comment(400))
        + attachment(92, parent=90, comments=comment(403))
    )
    report = run(write(tmp_path, wxr(items)))

    post = Post.objects.get(slug="harbour")
    comments = Comment.objects.filter(post=post)
    assert comments.count() == 4
    reply = comments.get(parent__isnull=False)
    assert reply.parent is not None and reply.parent.post == post
    assert Post.objects.get(pk=post.pk).comment_count == 4
    assert "4 comments" in report.splitlines()[0]
    assert "attachment 91: its 2 comments were on the attachment's page" in report
    assert "attachment 92: its 1 comment was on the attachment's page" in report
    assert "under the post it belongs to (harbour)" in report
    again = run(write(tmp_path, wxr(items)))
    assert again.startswith("Nothing to change") and "attachment" not in again
    assert Comment.objects.filter(post=post).count() == 4


def test_comments_on_an_attachment_of_no_post_are_listed_as_skipped(tmp_path: Path) -> None:
    items = (
        item(93, name="other")
        + attachment(94, parent=0, comments=comment(404))
        + attachment(95, parent=777, comments=comment(405) + comment(406))
    )
    report = run(write(tmp_path, wxr(items)))

    assert Comment.objects.count() == 0
    skipped = report.split("Skipped", 1)[1]
    assert "attachment 94: its 1 comment was left out: the attachment belongs to no post" in skipped
    assert (
        "attachment 95: its 2 comments were left out: the post it belongs to "
        "(WordPress id 777) is not in the file"
    ) in skipped


DISQUS = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><id>42 https://elsewhere.example/?p=42</id><forum>f</forum>
    <link>https://elsewhere.example/2012/one/</link></thread>
  <thread dsq:id="2"><id /><forum>f</forum><link>https://elsewhere.example/two/</link></thread>
  <thread dsq:id="3"><id /><forum>f</forum><link>https://elsewhere.example/quiet/</link></thread>
  <post dsq:id="10"><message>a</message><createdAt>2012-01-01T00:00:00Z</createdAt>
    <author><name>A</name></author><thread dsq:id="1" /></post>
  <post dsq:id="11"><message>b</message><createdAt>2012-01-01T00:00:00Z</createdAt>
    <author><name>B</name></author><thread dsq:id="2" /></post>
  <post dsq:id="12"><message>c</message><createdAt>2012-01-01T00:00:00Z</createdAt>
    <author><name>C</name></author><thread dsq:id="2" /></post>
</disqus>
"""


def test_a_disqus_file_none_of_whose_threads_is_a_post_here_says_so(tmp_path: Path) -> None:
    PostFactory(slug="unrelated")
    path = tmp_path / "disqus.xml"
    path.write_text(DISQUS, encoding="utf-8")
    out = io.StringIO()
    call_command("import", "disqus", str(path), stdout=out, stderr=io.StringIO())
    report = out.getvalue()

    assert "Nothing to change" not in report and "already here" not in report
    first = report.splitlines()[0]
    assert first == (
        "Nothing was imported: none of the 2 threads with comments in the file (3 comments) "
        "matched a post here."
    )
    assert "the WordPress post id in the thread's identifier" in report
    assert "its address (the post's address here, or an old address kept as a redirect)" in report
    assert "import the posts first" in report
    assert Comment.objects.count() == 0


def test_a_file_whose_every_record_was_left_out_does_not_claim_to_be_here(
    tmp_path: Path,
) -> None:
    # Comments naming a thread the file never declares: nothing matched, nothing here.
    text = DISQUS.replace('<thread dsq:id="1">', '<thread dsq:id="91">').replace(
        '<thread dsq:id="2">', '<thread dsq:id="92">'
    )
    path = tmp_path / "disqus.xml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import", "disqus", str(path), stdout=out, stderr=io.StringIO())

    assert out.getvalue().splitlines()[0] == (
        "Nothing was imported: everything in the file was left out (see Skipped)."
    )
