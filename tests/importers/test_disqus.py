"""`broadsheet import disqus`: a Disqus export's comments land on the posts they were written
under, threaded, with their statuses, dates and authors; a second run changes nothing; bad
files are refused with a sentence and leave nothing half-written."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from django.core.management import CommandError, call_command

from broadsheet.discussion.models import Comment
from broadsheet.importers import disqus
from broadsheet.importers.models import ImportedObject
from broadsheet.publishing.models import Post, PostRedirect
from broadsheet.search.models import SearchDocument
from tests.factories import AuthorFactory, PostFactory
from tests.html_safety import assert_harmless

pytestmark = pytest.mark.django_db

HEAD = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd http://disqus.com/api/schemas/1.0/internals.xsd">
"""


def category(dsq_id: str, title: str) -> str:
    return f"""  <category dsq:id="{dsq_id}">
    <forum>harbourhistory</forum>
    <title>{title}</title>
    <isDefault>{"true" if title == "General" else "false"}</isDefault>
  </category>
"""


def thread(dsq_id: str, link: str, identifier: str = "", title: str = "An essay") -> str:
    ident = f"<id>{identifier}</id>" if identifier else "<id />"
    return f"""  <thread dsq:id="{dsq_id}">
    {ident}
    <forum>harbourhistory</forum>
    <category dsq:id="11" />
    <link>{link}</link>
    <title>{title}</title>
    <message />
    <createdAt>2012-03-04T12:00:00Z</createdAt>
    <author>
      <email>editor@old.example.org</email>
      <name>The Editor</name>
      <isAnonymous>false</isAnonymous>
      <username>harboureditor</username>
    </author>
    <ipAddress>203.0.113.1</ipAddress>
    <isClosed>false</isClosed>
    <isDeleted>false</isDeleted>
  </thread>
"""


def post(
    dsq_id: str,
    thread_id: str,
    message: str,
    *,
    created: str = "2012-03-05T10:00:00Z",
    parent: str | None = None,
    name: str = "Ada Reader",
    email: str = "",
    username: str = "",
    anonymous: bool = True,
    deleted: bool = False,
    spam: bool = False,
    ip: str = "198.51.100.7",
) -> str:
    parent_element = f'\n    <parent dsq:id="{parent}" />' if parent else ""
    user = f"\n      <username>{username}</username>" if username else ""
    return f"""  <post dsq:id="{dsq_id}">
    <id />
    <message><![CDATA[{message}]]></message>
    <createdAt>{created}</createdAt>
    <isDeleted>{str(deleted).lower()}</isDeleted>
    <isSpam>{str(spam).lower()}</isSpam>
    <author>
      <email>{email}</email>
      <name>{escape(name)}</name>
      <isAnonymous>{str(anonymous).lower()}</isAnonymous>{user}
    </author>
    <ipAddress>{ip}</ipAddress>
    <thread dsq:id="{thread_id}" />{parent_element}
  </post>
"""


HOSTILE = (
    '<p>Nice <script>alert("x")</script><img src=x onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a> <a href="https://safe.example/" '
    'onclick="steal()" style="color:red">safe</a></p><iframe src="https://evil.example/">'
    "</iframe><style>body{display:none}</style>"
)


def export() -> str:
    """Six threads (two on the same post, one matching nothing, one without comments) and
    their comments: a chain four replies deep, spam, a deleted comment with a reply, an
    account holder, anonymous readers and hostile HTML."""
    return (
        HEAD
        + category("11", "General")
        + category("12", "Letters")
        + thread("101", "http://old.example.org/2012/03/04/harbour-walls/")
        + thread("102", "http://old.example.org/archives/42", "42 http://old.example.org/?p=42")
        + thread("103", "https://www.new.example/about/", title="About")
        + thread("104", "http://old.example.org/old/tides.html")
        + thread("105", "http://old.example.org/2011/01/01/never-written/")
        + thread("106", "http://localhost:4000/2012/03/04/harbour-walls/")
        + thread("107", "http://old.example.org/nobody-commented/")
        + post(
            "201",
            "101",
            "<p>The walls were <b>granite</b>, not limestone.</p><p>See "
            '<a href="https://archive.example/walls" rel="nofollow noopener" '
            'title="https://archive.example/walls">the survey</a>.</p>',
            created="2012-03-05T09:15:00Z",
            name="Margaret Hale",
            email="Margaret@Example.org",
            username="mhale",
            anonymous=False,
        )
        + post("202", "101", "<p>Source?</p>", created="2012-03-05T10:00:00Z", parent="201")
        + post(
            "203",
            "101",
            "<p>The 1881 survey,<br>page 12.</p>",
            created="2012-03-05T11:00:00Z",
            parent="202",
            name="Margaret Hale",
            email="margaret@example.org",
            username="mhale",
            anonymous=False,
        )
        + post(
            "204", "101", "<p>Thanks &amp; noted.</p>", parent="203", created="2012-03-06T08:00:00Z"
        )
        + post("205", "101", "<p>Four deep.</p>", parent="204", created="2012-03-07T08:00:00Z")
        + post(
            "206",
            "101",
            "<p>Cheap watches http://spam.example</p>",
            spam=True,
            name="Watches",
            created="2012-03-05T12:00:00Z",
        )
        + post(
            "207", "101", "<p>Something I regret.</p>", deleted=True, created="2012-03-05T13:00:00Z"
        )
        + post(
            "208",
            "101",
            "<p>Answering the deleted one.</p>",
            parent="207",
            created="2012-03-05T14:00:00Z",
        )
        + post(
            "209",
            "102",
            "<p>From the WordPress days.</p>",
            name="",
            username="oldtimer",
            anonymous=False,
        )
        + post("210", "103", HOSTILE, name="<b>Mallory</b>")
        + post("211", "104", "<p>Tides, redirected.</p>", ip="not-an-ip")
        + post("212", "106", "<p>Left on the staging copy.</p>", created="2012-03-08T08:00:00Z")
        + post("213", "105", "<p>Lost one.</p>")
        + post("214", "105", "<p>Lost two.</p>", parent="213")
        + "</disqus>\n"
    )


@pytest.fixture
def posts() -> dict[str, Post]:
    AuthorFactory(username="mhale", email="margaret@example.org")
    walls = PostFactory(slug="harbour-walls", published_at=datetime(2012, 3, 4, 12, 0, tzinfo=UTC))
    wordpress = PostFactory(slug="from-wordpress")
    ImportedObject.objects.create(
        source="wordpress:http://old.example.org",
        kind="post",
        source_id="42",
        object_id=wordpress.pk,
    )
    about = PostFactory(kind=Post.Kind.PAGE, slug="about", title="About")
    tides = PostFactory(slug="tides")
    PostRedirect.objects.create(old_path="/old/tides.html", post=tides)
    PostFactory(slug="nobody-commented-here")
    return {"walls": walls, "wordpress": wordpress, "about": about, "tides": tides}


def write(tmp_path: Path, text: str | bytes, name: str = "harbourhistory-all.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def run(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("import", "disqus", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def by_id(dsq_id: str) -> Comment:
    return Comment.objects.get(
        pk=ImportedObject.objects.get(
            source="disqus:harbourhistory", kind="comment", source_id=dsq_id
        ).object_id
    )


def test_the_export_lands_threaded_with_statuses_dates_and_authors(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    report = run(write(tmp_path, export()))

    assert "Imported 12 comments." in report
    root, source, survey, noted, deep = (by_id(i) for i in ("201", "202", "203", "204", "205"))
    assert [c.depth for c in (root, source, survey, noted, deep)] == [0, 1, 2, 3, 4]
    assert (source.parent, survey.parent, noted.parent, deep.parent) == (
        root,
        source,
        survey,
        noted,
    )
    assert {c.thread_id for c in (root, source, survey, noted, deep)} == {root.pk}
    assert root.post == posts["walls"] and root.created_at == datetime(
        2012, 3, 5, 9, 15, tzinfo=UTC
    )
    assert root.body_html.startswith(
        "<p>The walls were <strong>granite</strong>, not limestone.</p><p>See <a "
    )
    assert 'href="https://archive.example/walls"' in root.body_html
    assert 'rel="nofollow ugc noopener"' in root.body_html and root.body_html.count("<p>") == 2
    assert survey.body_html == "<p>The 1881 survey,<br>page 12.</p>"
    assert noted.body == "Thanks & noted." and noted.body_html == "<p>Thanks &amp; noted.</p>"

    # A Disqus account holder belongs to the account here with the same address.
    assert root.user is not None and root.user.username == "mhale"
    assert root.author_name == "Margaret Hale" and root.author_email == "Margaret@Example.org"
    assert source.user is None and source.author_name == "Ada Reader"
    assert str(source.ip_address) == "198.51.100.7"
    assert by_id("209").author_name == "oldtimer"  # a registered name-less author: the username

    assert by_id("206").status == Comment.Status.SPAM
    deleted, answer = by_id("207"), by_id("208")
    # Deleted above a reply: kept as our tombstone, its text gone, not counted.
    assert (deleted.status, deleted.removed, deleted.body) == (Comment.Status.APPROVED, True, "")
    assert answer.parent == deleted and answer.status == Comment.Status.APPROVED

    # Every way of finding the post: permalink, WordPress id, page path, old address, and a
    # second thread (Disqus's copy for a development host) of the same post.
    assert by_id("209").post == posts["wordpress"]
    assert by_id("210").post == posts["about"]
    assert by_id("211").post == posts["tides"] and by_id("211").ip_address is None
    assert by_id("212").post == posts["walls"]


def test_a_thread_that_matches_no_post_is_skipped_and_counted(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    report = run(write(tmp_path, export()))

    assert "Skipped 1:" in report
    assert (
        "thread 105: no post here has the address "
        "http://old.example.org/2011/01/01/never-written/; its 2 comments were left out"
    ) in report
    assert "nobody-commented" not in report  # a thread without comments is not news
    assert not ImportedObject.objects.filter(source_id__in=["213", "214"]).exists()
    assert Post.objects.count() == 5  # no post invented


def test_comment_counts_are_the_approved_comments_and_search_knows_them(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    run(write(tmp_path, export()))

    walls = Post.objects.get(pk=posts["walls"].pk)
    approved = Comment.objects.filter(
        post=walls, status=Comment.Status.APPROVED, removed=False
    ).count()
    assert walls.comment_count == approved == 7  # 201–205, 208, 212: not spam, not the deleted one
    assert Post.objects.get(pk=posts["about"].pk).comment_count == 1
    assert SearchDocument.objects.filter(post=walls, comment__isnull=False).count() == approved


def test_a_second_run_changes_nothing_and_says_so(tmp_path: Path, posts: dict[str, Post]) -> None:
    path = write(tmp_path, export())
    run(path)
    before = sorted(Comment.objects.values_list("pk", "parent_id", "status", "body_html"))

    report = run(path)

    assert report.startswith(
        "Nothing to change: everything in the file is already here (12 comments)."
    )
    assert sorted(Comment.objects.values_list("pk", "parent_id", "status", "body_html")) == before
    assert ImportedObject.objects.filter(kind="comment").count() == 12


def test_a_newer_export_adds_only_the_new_comments(tmp_path: Path, posts: dict[str, Post]) -> None:
    run(write(tmp_path, export()))
    newer = export().replace(
        "</disqus>", post("215", "101", "<p>A year later.</p>", parent="205") + "</disqus>"
    )

    report = run(write(tmp_path, newer, "harbourhistory-2013.xml"))

    assert "Imported 1 comments." in report and "Already here, unchanged: 12 comments." in report
    assert by_id("215").parent == by_id("205") and by_id("215").depth == 5


def test_a_dry_run_writes_nothing_and_reports_what_it_would(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    report = run(write(tmp_path, export()), "--dry-run")

    assert "Would import 12 comments." in report and "thread 105" in report
    assert not Comment.objects.exists() and not ImportedObject.objects.filter(kind="comment")
    assert Post.objects.get(pk=posts["walls"].pk).comment_count == 0


def test_hostile_html_in_a_message_is_sanitised(tmp_path: Path, posts: dict[str, Post]) -> None:
    run(write(tmp_path, export()))

    hostile = by_id("210")
    assert_harmless(hostile.body_html)
    for trace in ("<script", "onerror", "javascript:", "onclick", "style=", "<iframe", "<img"):
        assert trace not in hostile.body_html
    assert (
        '<a href="https://safe.example/" rel="nofollow ugc noopener">safe</a>' in hostile.body_html
    )
    assert hostile.author_name == "<b>Mallory</b>"  # a name is text, escaped when shown


def test_a_reply_whose_parent_is_not_in_the_file_becomes_top_level_with_a_warning(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    text = HEAD + thread("101", "http://old.example.org/2012/03/04/harbour-walls/")
    text += post("301", "101", "<p>Replying to nothing.</p>", parent="999")
    text += post("302", "101", "<p>Replying to the orphan.</p>", parent="301") + "</disqus>"

    report = run(write(tmp_path, text))

    orphan = by_id("301")
    assert orphan.parent is None and orphan.depth == 0 and orphan.thread_id == orphan.pk
    assert by_id("302").parent == orphan and by_id("302").depth == 1
    assert "Warnings (1):" in report
    assert "comment 301 answers comment 999, which is not in the file" in report


def test_a_duplicated_comment_id_is_written_once_and_reported(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    text = HEAD + thread("101", "http://old.example.org/2012/03/04/harbour-walls/")
    text += post("401", "101", "<p>First.</p>") + post("401", "101", "<p>Again.</p>")

    report = run(write(tmp_path, text + "</disqus>"))

    assert Comment.objects.get().body == "First."
    assert "comment 401 appears twice" in report


def test_comments_of_a_thread_declared_after_them_are_reported(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    text = HEAD + post("501", "101", "<p>Too early.</p>")
    text += thread("101", "http://old.example.org/2012/03/04/harbour-walls/") + "</disqus>"

    report = run(write(tmp_path, text))

    assert not Comment.objects.exists()
    assert "thread 101: 1 comment name a thread that is not declared before them" in report


@pytest.mark.parametrize("batch", [1, 1000])
def test_a_reply_before_its_parent_in_the_file_keeps_its_place(
    tmp_path: Path, posts: dict[str, Post], monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(disqus, "BATCH", batch)
    text = HEAD + thread("101", "http://old.example.org/2012/03/04/harbour-walls/")
    text += post("602", "101", "<p>Reply.</p>", parent="601") + post("601", "101", "<p>Root.</p>")

    report = run(write(tmp_path, text + "</disqus>"))

    assert by_id("602").parent == by_id("601") and "Warnings" not in report


# Bad files --------------------------------------------------------------------------------


def refused(path: Path) -> str:
    with pytest.raises(CommandError) as raised:
        run(path)
    assert not Comment.objects.exists() and not ImportedObject.objects.filter(kind="comment")
    return str(raised.value)


@pytest.mark.parametrize("cut", [0.35, 0.6, 0.9, 0.999])
def test_a_truncated_export_is_refused_with_the_line(
    tmp_path: Path, posts: dict[str, Post], cut: float
) -> None:
    text = export()
    message = refused(write(tmp_path, text[: int(len(text) * cut)]))

    assert "the XML is broken" in message and "download it again" in message
    assert message.split(": ", 2)[1].startswith("line ")


BILLION_LAUGHS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE disqus [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
"""


def test_an_entity_bomb_is_refused_before_anything_is_expanded(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    text = BILLION_LAUGHS + thread("101", "http://old.example.org/2012/03/04/harbour-walls/")
    text += post("701", "101", "<p>&lol9;</p>").replace("<![CDATA[<p>&lol9;</p>]]>", "&lol9;")

    message = refused(write(tmp_path, text + "</disqus>"))

    assert "declares a DOCTYPE or entities" in message and "no entity can be expanded" in message


def test_a_doctype_hidden_behind_a_long_comment_is_refused_too(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    padding = "<!-- " + "x" * 70_000 + " -->\n"
    text = BILLION_LAUGHS.replace("<!DOCTYPE", padding + "<!DOCTYPE", 1)
    text += thread("101", "http://old.example.org/2012/03/04/harbour-walls/") + "</disqus>"

    assert "declares a DOCTYPE, which a Disqus export never does" in refused(write(tmp_path, text))


def test_an_external_entity_is_refused(tmp_path: Path, posts: dict[str, Post]) -> None:
    text = HEAD.replace(
        "<disqus ", '<!DOCTYPE disqus [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<disqus ', 1
    )
    text += thread("101", "http://old.example.org/2012/03/04/harbour-walls/")
    text += post("801", "101", "x").replace("<![CDATA[x]]>", "&secret;") + "</disqus>"

    assert "declares a DOCTYPE" in refused(write(tmp_path, text))


def test_bytes_that_are_not_the_declared_utf8_are_refused(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    text = HEAD + thread("101", "http://old.example.org/2012/03/04/harbour-walls/")
    text += post("901", "101", "<p>Café au lait.</p>") + "</disqus>"

    message = refused(write(tmp_path, text.encode("latin-1")))

    line = text[: text.index("Café")].count("\n") + 1
    assert f"line {line}: the XML is broken" in message


def test_an_encoding_other_than_utf8_is_refused_with_what_to_do(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    text = export().replace('encoding="utf-8"', 'encoding="ISO-8859-1"', 1)

    message = refused(write(tmp_path, text))

    assert "declares the encoding 'ISO-8859-1', but a Disqus export is UTF-8" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("   \n", "the file is empty"),
        (
            '<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
            "use `broadsheet import wordpress`",
        ),
        (
            '<?xml version="1.0"?><disqus><thread/></disqus>',
            'not a Disqus export (<disqus xmlns="http://disqus.com">)',
        ),
        ("Disqus export, honest", "the XML is broken"),
    ],
)
def test_a_file_that_is_not_a_disqus_export_is_refused(
    tmp_path: Path, posts: dict[str, Post], text: str, expected: str
) -> None:
    assert expected in refused(write(tmp_path, text))


def test_an_interrupted_import_keeps_whole_batches_and_a_rerun_finishes_it(
    tmp_path: Path, posts: dict[str, Post], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(disqus, "BATCH", 3)
    text = export()
    cut = text.index('<post dsq:id="209">') + 40  # inside the ninth comment

    with pytest.raises(CommandError):
        run(write(tmp_path, text[:cut]))

    # Two whole batches of three, each with its counts: nothing of the third.
    assert Comment.objects.count() == ImportedObject.objects.filter(kind="comment").count() == 6
    walls = Post.objects.get(pk=posts["walls"].pk)
    assert (
        walls.comment_count
        == Comment.objects.filter(post=walls, status="approved", removed=False).count()
    )

    report = run(write(tmp_path, text))

    assert "Imported 6 comments." in report and "Already here, unchanged: 6 comments." in report
    assert Comment.objects.count() == 12
    assert by_id("208").parent == by_id("207")
    # The interrupted run's comments reach search too, on posts the rerun wrote nothing to.
    for target in posts.values():
        approved = Comment.objects.filter(post=target, status="approved", removed=False).count()
        assert SearchDocument.objects.filter(post=target, comment__isnull=False).count() == approved
