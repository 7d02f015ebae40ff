"""`broadsheet import isso`: an Isso database's comments land on the posts at their threads'
addresses, threaded, with statuses, dates and authors; the database is only read; a second run
changes nothing; anything that is not an Isso database is refused with a sentence."""

from __future__ import annotations

import hashlib
import io
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from broadsheet.discussion.models import Comment
from broadsheet.importers.models import ImportedObject
from broadsheet.publishing.models import Post, PostRedirect
from broadsheet.search.models import SearchDocument
from tests.factories import PostFactory
from tests.html_safety import assert_harmless

pytestmark = pytest.mark.django_db

# Isso's own schema (isso/db/threads.py, comments.py, preferences.py and the trigger in
# isso/db/__init__.py), as Isso creates it.
SCHEMA = """
CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER DEFAULT 0);
CREATE TRIGGER remove_stale_threads AFTER DELETE ON comments BEGIN
    DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments);
END;
PRAGMA user_version = 3;
"""
MARCH_5 = datetime(2012, 3, 5, 9, 15, tzinfo=UTC).timestamp()
HOUR = 3600.0

THREADS = [
    (1, "/2012/03/04/harbour-walls/", "Harbour walls"),
    (2, "/about/", "About"),
    (3, "/old/tides.html", "Tides"),
    (4, "/drafts/never-published/", "Never published"),
]
# (tid, id, parent, created, modified, mode, remote_addr, text, author, email, website)
COMMENTS: list[tuple[Any, ...]] = [
    (1, 1, None, MARCH_5, None, 1, "192.168.1.0",
     "The walls were **granite**, not limestone. See [the survey](https://archive.example/walls).",
     "Margaret Hale", "margaret@example.org", "https://mhale.example"),
    (1, 2, 1, MARCH_5 + HOUR, MARCH_5 + 2 * HOUR, 1, "2001:db8::", "Source?", "Ada", None, None),
    (1, 3, 2, MARCH_5 + 2 * HOUR, None, 1, "192.168.1.0", "The 1881 survey.", "Margaret Hale",
     "margaret@example.org", "javascript:alert(1)"),
    (1, 4, None, MARCH_5 + 3 * HOUR, None, 2, "198.51.100.0", "Waiting for a moderator.",
     None, None, ""),
    # Deleted while it had a reply: Isso empties it and keeps it with mode 4.
    (1, 5, None, MARCH_5 + 4 * HOUR, MARCH_5 + 9 * HOUR, 4, "198.51.100.0", "", None,
     "gone@example.org", None),
    (1, 6, 5, MARCH_5 + 5 * HOUR, None, 1, "198.51.100.0", "Answering the deleted one.", "Bo",
     None, None),
    (2, 7, None, MARCH_5, None, 1, "127.0.0.0",
     'Nice <script>alert("x")</script><img src=x onerror="alert(1)"> '
     "[click](javascript:alert(2))", "<b>Mallory</b>", None, None),
    (3, 8, None, MARCH_5, None, 1, "not an address", "Tides, redirected.", "Cy", None, None),
    (4, 9, None, MARCH_5, None, 1, "127.0.0.0", "Lost one.", "Di", None, None),
    (4, 10, 9, MARCH_5, None, 1, "127.0.0.0", "Lost two.", "Ed", None, None),
]  # fmt: skip


def make_isso(
    path: Path, *, comments: list[tuple[Any, ...]] = COMMENTS, key: str = "9f" * 24
) -> Path:
    with sqlite3.connect(path) as database:
        database.executescript(SCHEMA)
        database.execute("INSERT INTO preferences VALUES ('session-key', ?)", (key,))
        database.executemany("INSERT INTO threads VALUES (?, ?, ?)", THREADS)
        database.executemany(
            "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, "
            "author, email, website, voters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'00')",
            comments,
        )
    database.close()
    return path


@pytest.fixture
def posts() -> dict[str, Post]:
    walls = PostFactory(slug="harbour-walls", published_at=datetime(2012, 3, 4, 12, 0, tzinfo=UTC))
    about = PostFactory(kind=Post.Kind.PAGE, slug="about", title="About")
    tides = PostFactory(slug="tides")
    PostRedirect.objects.create(old_path="/old/tides.html", post=tides)
    return {"walls": walls, "about": about, "tides": tides}


@pytest.fixture
def isso_db(tmp_path: Path) -> Path:
    return make_isso(tmp_path / "comments.db")


def run(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("import", "isso", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def by_id(isso_id: int) -> Comment:
    mapped = ImportedObject.objects.get(
        kind="comment", source__startswith="isso:", source_id=str(isso_id)
    )
    return Comment.objects.get(pk=mapped.object_id)


def test_the_database_lands_threaded_with_statuses_dates_and_authors(
    isso_db: Path, posts: dict[str, Post]
) -> None:
    report = run(isso_db)

    assert "Imported 8 comments." in report
    root, reply, deeper = by_id(1), by_id(2), by_id(3)
    assert (reply.parent, deeper.parent) == (root, reply)
    assert [c.depth for c in (root, reply, deeper)] == [0, 1, 2]
    assert {c.thread_id for c in (root, reply, deeper)} == {root.pk}
    assert root.post == posts["walls"]
    assert root.created_at == datetime(2012, 3, 5, 9, 15, tzinfo=UTC)
    assert reply.created_at == datetime(2012, 3, 5, 10, 15, tzinfo=UTC)

    # Isso's text is Markdown: kept as the source, rendered as our comments are.
    assert root.body.startswith("The walls were **granite**")
    assert "<strong>granite</strong>" in root.body_html
    assert 'href="https://archive.example/walls"' in root.body_html

    assert (root.author_name, root.author_email, root.author_url) == (
        "Margaret Hale",
        "margaret@example.org",
        "https://mhale.example",
    )
    assert str(root.ip_address) == "192.168.1.0" and str(reply.ip_address) == "2001:db8::"
    assert deeper.author_url == ""  # only http(s) addresses are kept
    assert reply.author_email == "" and by_id(8).ip_address is None

    assert by_id(4).status == Comment.Status.PENDING and by_id(4).author_name == ""
    deleted, answer = by_id(5), by_id(6)
    # Mode 4, deleted above a reply: kept as our tombstone, not counted.
    assert (deleted.status, deleted.removed, deleted.body) == (Comment.Status.APPROVED, True, "")
    assert answer.parent == deleted and answer.status == Comment.Status.APPROVED

    assert by_id(7).post == posts["about"] and by_id(8).post == posts["tides"]


def test_a_thread_that_matches_no_post_is_skipped_and_counted(
    isso_db: Path, posts: dict[str, Post]
) -> None:
    report = run(isso_db)

    assert (
        "threads row id 4: no post here has the address /drafts/never-published/ "
        "(Never published); its 2 comments were left out"
    ) in report
    assert Post.objects.count() == 3


def test_a_database_none_of_whose_threads_is_a_post_here_says_so(isso_db: Path) -> None:
    PostFactory(slug="unrelated")

    report = run(isso_db)

    assert report.splitlines()[0] == (
        "Nothing was imported: none of the 4 threads with comments in the file "
        "(10 comments) matched a post here."
    )
    assert "An Isso thread belongs to the post at its uri" in report
    assert "already here" not in report and not Comment.objects.exists()
    dry = run(isso_db, "--dry-run")
    assert dry.startswith("Nothing would be imported: none of the 4 threads")


def test_comment_counts_are_the_approved_comments_and_search_knows_them(
    isso_db: Path, posts: dict[str, Post]
) -> None:
    run(isso_db)

    walls = Post.objects.get(pk=posts["walls"].pk)
    assert walls.comment_count == 4  # 1, 2, 3, 6: not the pending one, not the deleted one
    assert (
        walls.comment_count
        == Comment.objects.filter(post=walls, status="approved", removed=False).count()
    )
    assert Post.objects.get(pk=posts["about"].pk).comment_count == 1
    assert SearchDocument.objects.filter(post=walls, comment__isnull=False).count() == 4


def test_a_second_run_changes_nothing_and_says_so(isso_db: Path, posts: dict[str, Post]) -> None:
    run(isso_db)
    before = sorted(Comment.objects.values_list("pk", "parent_id", "status", "body_html"))

    report = run(isso_db)

    assert report.startswith(
        "Nothing to change: everything in the file is already here (8 comments)."
    )
    assert sorted(Comment.objects.values_list("pk", "parent_id", "status", "body_html")) == before


def test_a_renamed_later_copy_of_the_database_adds_only_its_new_comments(
    tmp_path: Path, isso_db: Path, posts: dict[str, Post]
) -> None:
    run(isso_db)
    later = shutil.copy(isso_db, tmp_path / "isso-backup-2013.db")
    with sqlite3.connect(later) as database:
        database.execute(
            "INSERT INTO comments (tid, id, parent, created, mode, text, author, voters) "
            "VALUES (1, 11, 1, ?, 1, 'A year later.', 'Flo', x'00')",
            (MARCH_5 + 365 * 24 * HOUR,),
        )
    database.close()

    report = run(Path(later))

    assert "Imported 1 comments." in report and "Already here, unchanged: 8 comments." in report
    assert by_id(11).parent == by_id(1)


def test_another_isso_site_with_the_same_ids_is_not_mistaken_for_this_one(
    tmp_path: Path, isso_db: Path, posts: dict[str, Post]
) -> None:
    run(isso_db)
    other = (
        make_isso(tmp_path / "other" / "comments.db", key="0a" * 24)
        if (tmp_path / "other").mkdir() is None
        else None
    )
    assert other is not None

    report = run(other)

    assert "Imported 8 comments." in report
    assert Comment.objects.count() == 16


def test_a_dry_run_writes_nothing_and_reports_what_it_would(
    isso_db: Path, posts: dict[str, Post]
) -> None:
    report = run(isso_db, "--dry-run")

    assert "Would import 8 comments." in report and "threads row id 4" in report
    assert not Comment.objects.exists() and not ImportedObject.objects.exists()
    assert Post.objects.get(pk=posts["walls"].pk).comment_count == 0


def test_the_isso_database_is_only_read(isso_db: Path, posts: dict[str, Post]) -> None:
    digest = hashlib.sha256(isso_db.read_bytes()).hexdigest()
    isso_db.chmod(0o444)

    run(isso_db)

    assert hashlib.sha256(isso_db.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in isso_db.parent.iterdir()) == ["comments.db"]


def test_hostile_text_is_sanitised(isso_db: Path, posts: dict[str, Post]) -> None:
    run(isso_db)

    hostile = by_id(7)
    assert_harmless(hostile.body_html)
    # Markdown keeps raw HTML as text: escaped, it shows and never runs.
    for trace in ("<script", 'href="javascript:', "<img"):
        assert trace not in hostile.body_html
    assert "&lt;img" in hostile.body_html
    assert hostile.author_name == "<b>Mallory</b>"  # a name is text, escaped when shown


def test_a_reply_whose_parent_is_gone_becomes_top_level_with_a_warning(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    orphan = (1, 20, 19, MARCH_5, None, 1, "127.0.0.0", "Parent purged.", "Gil", None, None)
    report = run(make_isso(tmp_path / "comments.db", comments=[orphan]))

    comment = by_id(20)
    assert comment.parent is None and comment.depth == 0 and comment.thread_id == comment.pk
    assert "comments row id 20: comment 20 answers comment 19, which is not in the file" in report


def test_an_unknown_mode_is_held_for_moderation(tmp_path: Path, posts: dict[str, Post]) -> None:
    odd = (1, 30, None, MARCH_5, None, 8, "127.0.0.0", "Odd mode.", "Hal", None, None)
    report = run(make_isso(tmp_path / "comments.db", comments=[odd]))

    assert by_id(30).status == Comment.Status.PENDING
    assert "comments row id 30: mode 8 is unknown; held for moderation" in report


# Not an Isso database ---------------------------------------------------------------------


def refused(path: Path) -> str:
    with pytest.raises(CommandError) as raised:
        run(path)
    assert not Comment.objects.exists() and not ImportedObject.objects.exists()
    return str(raised.value)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path, posts: dict[str, Post]) -> None:
    path = tmp_path / "comments.db"
    path.write_text("threads,comments\n1,/about/\n")

    message = refused(path)

    assert "the file is not an SQLite database; expected Isso's comments database" in message


def test_an_empty_file_is_refused(tmp_path: Path, posts: dict[str, Post]) -> None:
    path = tmp_path / "comments.db"
    path.write_bytes(b"")

    assert "not an SQLite database" in refused(path)


def test_another_applications_sqlite_database_is_refused(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username TEXT)")
        database.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, body TEXT)")
    database.close()

    message = refused(path)

    assert "the database has no threads table (its tables: auth_user, comments)" in message


def test_a_comments_table_without_isso_columns_is_refused(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    path = tmp_path / "comments.db"
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri TEXT, title TEXT)")
        database.execute("CREATE TABLE comments (tid INTEGER, id INTEGER PRIMARY KEY, text TEXT)")
    database.close()

    message = refused(path)

    assert "the comments table has no parent, created, modified, mode" in message
    assert "this is not an Isso database" in message


def test_a_damaged_database_is_refused(
    tmp_path: Path, isso_db: Path, posts: dict[str, Post]
) -> None:
    data = bytearray(isso_db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's b-tree: the schema
    isso_db.write_bytes(bytes(data))

    message = refused(isso_db)

    assert "the database cannot be read (database disk image is malformed)" in message
