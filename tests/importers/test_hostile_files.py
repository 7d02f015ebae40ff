"""Every importer, given any file at all: arbitrary bytes, an export cut short or with bytes
changed, invalid UTF-8, fields of the wrong type, huge values. Each file is imported or refused
with a sentence (CommandError); never any other exception, and a refused file stores nothing."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.notifications.models import Subscription
from broadsheet.publishing.models import Category, Post, Tag
from tests.factories import PostFactory
from tests.hostile_input import NASTY
from tests.importers import test_disqus as disqus
from tests.importers import test_isso as isso
from tests.importers import test_wordpress as wordpress

pytestmark = pytest.mark.django_db


def _imported(kind: str, path: Path) -> bool:
    """True when the file was imported, False when it was refused with a sentence."""
    try:
        call_command("import", kind, str(path), stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as refused:
        assert str(refused).strip()  # noqa: PT017 - a refusal is one accepted outcome
        return False
    return True


def _content() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Post, Comment, User, Category, Tag, Subscription)
    )


@pytest.fixture
def site_posts() -> None:
    """Posts the Disqus and Isso threads point at, so their comments land somewhere."""
    PostFactory(slug="harbour-walls", published_at=datetime(2012, 3, 4, 12, 0, tzinfo=UTC))
    PostFactory(kind=Post.Kind.PAGE, slug="about", title="About")


def _good_wordpress() -> bytes:
    comments = wordpress.comment(1) + wordpress.comment(2, parent=1)
    return wordpress.wxr(wordpress.item(1, comments=comments)).encode()


def _good_disqus() -> bytes:
    return disqus.export().encode()


def _good_isso(folder: Path) -> bytes:
    path = folder / "good.db"
    if not path.exists():
        isso.make_isso(path)
    return path.read_bytes()


def _good_json(folder: Path) -> bytes:
    document = {
        "format": "broadsheet", "version": 1, "site": {"url": "https://old.example.org"},
        "accounts": [], "categories": [], "posts": [], "comments": [], "subscriptions": [],
    }  # fmt: skip
    return json.dumps(document).encode()


def _changed(good: bytes) -> st.SearchStrategy[bytes]:
    """The good file cut short, with bytes overwritten, or with bytes put in; or any bytes."""
    cut = st.integers(min_value=0, max_value=len(good)).map(lambda n: good[:n])
    overwritten = st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(good) - 1), st.integers(0, 255)),
        min_size=1, max_size=8,
    ).map(lambda changes: _overwrite(good, changes))  # fmt: skip
    inserted = st.tuples(
        st.integers(min_value=0, max_value=len(good)), st.binary(min_size=1, max_size=60)
    ).map(lambda put: good[: put[0]] + put[1] + good[put[0] :])
    return st.one_of(cut, overwritten, inserted, st.binary(max_size=2_000))


def _overwrite(good: bytes, changes: list[tuple[int, int]]) -> bytes:
    changed = bytearray(good)
    for at, value in changes:
        changed[at] = value
    return bytes(changed)


@pytest.mark.parametrize("kind", ["wordpress", "disqus", "isso", "json"])
@given(data=st.data())
def test_any_file_is_imported_or_refused_and_a_refused_file_stores_nothing(
    kind: str, site_posts: None, tmp_path: Path, data: st.DataObject
) -> None:
    good = {
        "wordpress": _good_wordpress, "disqus": _good_disqus,
        "isso": lambda: _good_isso(tmp_path), "json": lambda: _good_json(tmp_path),
    }[kind]()  # fmt: skip
    path = tmp_path / f"export.{kind}"
    path.write_bytes(data.draw(_changed(good), label="file"))
    before = _content()

    if not _imported(kind, path):
        _assert_nothing_but_whole_items(kind, before)


def _assert_nothing_but_whole_items(kind: str, before: tuple[int, ...]) -> None:
    """A refused file stores nothing, but for a WordPress export broken part way: whole items
    before the break are kept, each in its own transaction, so that running the import again
    resumes it (decision 0015). Never a comment without its post."""
    after = _content()
    if kind != "wordpress":
        assert after == before
        return
    posts, comments = after[0] - before[0], after[1] - before[1]
    assert posts in (0, 1) and (posts or not comments)


# Fields whose values come from someone else's site: any text, and numbers where text was.
_TEXT = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=60), st.integers().map(str), st.just("x" * 70_000)
)


@given(
    title=_TEXT, name=_TEXT, content=_TEXT, status=_TEXT, date=_TEXT, parent=st.integers(),
    approved=_TEXT, comment_kind=_TEXT, body=_TEXT, email=_TEXT,
)  # fmt: skip
def test_a_wordpress_export_with_any_values_is_imported_or_refused(
    tmp_path: Path, title: str, name: str, content: str, status: str, date: str, parent: int,
    approved: str, comment_kind: str, body: str, email: str,
) -> None:  # fmt: skip
    comments = wordpress.comment(1, content=body, email=email) + wordpress.comment(
        2, parent=parent, approved=approved, kind=comment_kind
    )
    text = wordpress.wxr(
        wordpress.item(7, title=title, name=name, content=content, status=status, date_gmt=date,
                       comments=comments)
    )  # fmt: skip
    path = tmp_path / "export.xml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    before = _content()
    if not _imported("wordpress", path):
        _assert_nothing_but_whole_items("wordpress", before)


@given(message=_TEXT, created=_TEXT, parent=_TEXT, name=_TEXT, email=_TEXT, ip=_TEXT)
def test_a_disqus_export_with_any_values_is_imported_or_refused(
    site_posts: None, tmp_path: Path, message: str, created: str, parent: str, name: str,
    email: str, ip: str,
) -> None:  # fmt: skip
    thread = disqus.thread("101", "http://old.example.org/2012/03/04/harbour-walls/")
    posts = disqus.post("701", "101", message, created=created, name=name, email=email, ip=ip)
    posts += disqus.post("702", "101", "A reply.", parent=parent or None)
    path = tmp_path / "export.xml"
    path.write_bytes((disqus.HEAD + thread + posts + "</disqus>").encode("utf-8", "surrogatepass"))
    before = _content()
    if not _imported("disqus", path):
        assert _content() == before


# Isso's columns hold whatever SQLite was given: any type in any column.
_ANY = st.one_of(
    st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(),
    st.text(max_size=40), st.binary(max_size=40), st.sampled_from(NASTY),
)  # fmt: skip


@given(rows=st.lists(st.tuples(_ANY, st.integers(1, 50), *[_ANY] * 9), min_size=1, max_size=4))
def test_an_isso_database_with_values_of_any_type_is_imported_or_refused(
    site_posts: None, tmp_path: Path, rows: list[tuple[Any, ...]]
) -> None:
    path = tmp_path / f"isso-{len(list(tmp_path.iterdir()))}.db"
    with sqlite3.connect(path) as database:
        database.executescript(isso.SCHEMA)
        database.executemany("INSERT INTO threads VALUES (?, ?, ?)", isso.THREADS)
        database.executemany(
            "INSERT OR IGNORE INTO comments (tid, id, parent, created, modified, mode, remote_addr,"
            " text, author, email, website, voters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'00')",
            rows,
        )
    database.close()
    before = _content()
    if not _imported("isso", path):
        assert _content() == before


def test_isso_text_that_is_not_utf8_is_imported_with_replacement_characters(
    site_posts: None, tmp_path: Path
) -> None:
    # SQLite stores TEXT as given; reading such a value raised UnicodeDecodeError.
    path = tmp_path / "latin1.db"
    with sqlite3.connect(path) as database:
        database.executescript(isso.SCHEMA)
        database.executemany("INSERT INTO threads VALUES (?, ?, ?)", isso.THREADS)
        database.execute(
            "INSERT INTO comments (tid, id, parent, created, mode, text, author, voters) "
            "VALUES (1, 1, NULL, ?, 1, CAST(? AS TEXT), CAST(? AS TEXT), x'00')",
            (isso.MARCH_5, "Caf\xe9 au lait.".encode("latin-1"), b"Ren\xe9e"),
        )
    database.close()
    assert _imported("isso", path)
    comment = Comment.objects.get()
    assert comment.body == "Caf\ufffd au lait." and comment.author_name == "Ren\ufffde"


def test_an_isso_schema_with_a_damaged_byte_is_refused_with_a_sentence(
    site_posts: None, tmp_path: Path
) -> None:
    # Found by the property test above: a byte that is not UTF-8 in a table's name in
    # sqlite_master raised UnicodeDecodeError out of the schema check.
    damaged = bytearray(_good_isso(tmp_path))
    damaged[damaged.index(b"tablecommentscomments") + len("table")] = 0x80
    path = tmp_path / "damaged.db"
    path.write_bytes(bytes(damaged))
    before = _content()
    assert not _imported("isso", path)
    assert _content() == before
