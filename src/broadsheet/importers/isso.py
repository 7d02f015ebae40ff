"""`broadsheet import isso FILE.db`: the comments of an Isso database onto the posts here.

Isso keeps everything in one SQLite file: `threads` (id, uri, title), one per page, and
`comments` (tid, id, parent, created, modified, mode, remote_addr, text, author, email,
website, likes, dislikes, voters), `text` being the Markdown the commenter typed, `created`
seconds since 1970 in UTC, and `mode` 1 for accepted, 2 for waiting in moderation and 4 for
deleted while it had replies (its text and author emptied). The file is opened read-only and
read row by row. Each thread is matched to a post here by its uri (a path); no post is ever
created, and the comments of a thread that matches nothing are skipped and counted.

Comments are written in batches, each in its own transaction with its posts' counts; each is
remembered by its Isso id under a name for the database (from the random key Isso made when it
created it), so a second run, or a later copy of the same database, writes only what is new.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from broadsheet.discussion.models import Comment
from broadsheet.importers.addresses import PostFinder, report_no_thread_matched
from broadsheet.importers.batches import CommentBatches
from broadsheet.importers.progress import ImportProblem, ImportReport, Progress
from broadsheet.importers.writing import CommentRecord, checked_address, dry_run_rollback

BATCH = 1000
_COLUMNS = {
    "threads": ("id", "uri", "title"),
    "comments": (
        "tid",
        "id",
        "parent",
        "created",
        "modified",
        "mode",
        "remote_addr",
        "text",
        "author",
        "email",
        "website",
    ),
}
# Mode 4 is a comment deleted while it had replies, which Isso keeps as a placeholder: our
# tombstone (see CommentRecord.removed).
_STATUSES = {1: Comment.Status.APPROVED, 2: Comment.Status.PENDING, 4: Comment.Status.APPROVED}
_SQLITE_MAGIC = b"SQLite format 3\x00"


def isso_import(*, path: Path, dry_run: bool, progress: Progress, report: ImportReport) -> None:
    with closing(_connect(path)) as database, dry_run_rollback(dry_run):
        try:
            _check_schema(database)
            progress.total = database.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
            threads = _threads(database)
        except _UNREADABLE as error:
            raise _unreadable(error) from None
        importer = _Importer(
            report=report, dry_run=dry_run, source=_source(database, path), threads=threads
        )
        for done, row in enumerate(_rows(database), start=1):
            importer.row(row)
            progress.update(done=done, comments=1)
        importer.finish()


# Reading --------------------------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    with path.open("rb") as raw:
        magic = raw.read(len(_SQLITE_MAGIC))
    if magic != _SQLITE_MAGIC:
        raise ImportProblem(
            "the file is not an SQLite database; expected Isso's comments database (the file "
            "named by dbpath in the [general] section of isso.cfg)."
        )
    # Read-only: the import never changes the Isso database, even by accident.
    database = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    database.row_factory = sqlite3.Row
    # SQLite keeps whatever bytes it was given as TEXT; a value that is not UTF-8 raised
    # UnicodeDecodeError (a crash, not a refusal). It is imported with U+FFFD in their place.
    database.text_factory = lambda value: value.decode("utf-8", "replace")
    return database


def _check_schema(database: sqlite3.Connection) -> None:
    tables = {
        name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for table, wanted in _COLUMNS.items():
        if table not in tables:
            found = ", ".join(sorted(tables)) or "none"
            raise ImportProblem(
                f"the database has no {table} table (its tables: {found}); an Isso database "
                "has threads and comments. Is this the file named by dbpath in isso.cfg?"
            )
        columns = {row[1] for row in database.execute(f"PRAGMA table_info({table})")}
        missing = [c for c in wanted if c not in columns]
        if missing:
            raise ImportProblem(
                f"the {table} table has no {', '.join(missing)} column"
                f"{'s' if len(missing) > 1 else ''}; this is not an Isso database, or one "
                "from a version this import does not know."
            )


# A damaged schema makes SQLite's error message itself hold bytes that are not UTF-8, which
# the sqlite3 module fails to decode: UnicodeDecodeError instead of DatabaseError.
_UNREADABLE = (sqlite3.DatabaseError, UnicodeDecodeError)


def _unreadable(error: Exception, *, midway: bool = False) -> ImportProblem:
    if "locked" in str(error) or "busy" in str(error):
        why = (
            "the database is busy: Isso is writing to it. Run the import again, or copy the "
            "file while Isso is stopped"
        )
    else:
        why = (
            f"the database cannot be read ({error}); it may be damaged. Copy it again from "
            "the Isso server while Isso is stopped"
        )
    done = (
        " The comments read before this point have been imported in whole batches."
        if midway
        else ""
    )
    return ImportProblem(f"{why}.{done}")


def _source(database: sqlite3.Connection, path: Path) -> str:
    """Isso ids count from 1 in every database, so the source must name the database: by the
    random session key Isso stores when it creates one (hashed: it signs Isso's cookies), or,
    in databases older than that key, by the file name."""
    key = None
    try:
        row = database.execute("SELECT value FROM preferences WHERE key = 'session-key'").fetchone()
        key = row[0] if row else None
    except sqlite3.DatabaseError:
        pass
    if key:
        return f"isso:{hashlib.sha256(str(key).encode()).hexdigest()[:16]}"
    return f"isso:{path.name}"[:300]


def _threads(database: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    return {
        row["id"]: (str(row["uri"] or ""), str(row["title"] or ""))
        for row in database.execute("SELECT id, uri, title FROM threads")
    }


def _rows(database: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Oldest first: a parent's id is always smaller than its replies'."""
    try:
        yield from database.execute(
            "SELECT tid, id, parent, created, modified, mode, remote_addr, text, author, email, "
            "website FROM comments ORDER BY id"
        )
    except _UNREADABLE as error:
        raise _unreadable(error, midway=True) from None


def _utc(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _str(value: Any) -> str:
    return "" if value is None else str(value)


# Writing --------------------------------------------------------------------------------------


class _Importer:
    def __init__(
        self,
        *,
        report: ImportReport,
        dry_run: bool,
        source: str,
        threads: dict[int, tuple[str, str]],
    ) -> None:
        self.report = report
        self.dry_run = dry_run
        self.threads = threads
        self.finder = PostFinder()
        self.posts: dict[int, int | None] = {}  # Isso thread id → post here
        self.batches = CommentBatches(source=source, report=report, dry_run=dry_run, size=BATCH)
        self.unmatched: Counter[int] = Counter()
        self.undeclared: Counter[Any] = Counter()

    def row(self, row: sqlite3.Row) -> None:
        where = f"comments row id {row['id']}"
        thread = row["tid"]
        if thread not in self.threads:
            self.undeclared[thread] += 1
            return
        if thread not in self.posts:
            self.posts[thread] = self.finder.by_address(self.threads[thread][0])
        post_id = self.posts[thread]
        if post_id is None:
            self.unmatched[thread] += 1
            return
        created = _utc(row["created"])
        if created is None:
            created = _utc(row["modified"])
            if created is None:
                self.report.skip(where, f"its created time {row['created']!r} is not a time")
                return
            self.report.warn(where, "its created time is not a time; dated when last modified")
        status = _STATUSES.get(row["mode"])
        if status is None:
            self.report.warn(where, f"mode {row['mode']!r} is unknown; held for moderation")
            status = Comment.Status.PENDING
        website = checked_address(
            _str(row["website"]), report=self.report, where=where, what="the author's website"
        )
        self.batches.add(
            CommentRecord(
                source_id=str(row["id"]),
                post_id=post_id,
                parent_source_id=str(row["parent"]) if row["parent"] is not None else None,
                body=_str(row["text"]),
                markup="markdown",
                removed=row["mode"] == 4,
                created_at=created,
                status=status,
                author_name=_str(row["author"]),
                author_email=_str(row["email"]),
                author_url=website,
                ip_address=_str(row["remote_addr"]) or None,
                where=where,
            )
        )

    def finish(self) -> None:
        self.batches.finish()
        report_no_thread_matched(
            report=self.report,
            threads=len(self.unmatched),
            comments=sum(self.unmatched.values()),
            matching=(
                "An Isso thread belongs to the post at its uri: the post's address here, or an "
                "old address kept as a redirect; no post is ever created for a thread."
            ),
        )
        for thread, count in self.unmatched.items():
            uri, title = self.threads[thread]
            named = f" ({title})" if title else ""
            self.report.skip(
                f"threads row id {thread}",
                f"no post here has the address {uri or '(empty)'}{named}; its "
                f"{_comments(count)} were left out (import the posts first, or publish the "
                "post at that address)",
            )
        for thread, count in self.undeclared.items():
            self.report.skip(
                f"thread id {thread}",
                f"{_comments(count)} belong to a thread the threads table does not have; left out",
            )


def _comments(count: int) -> str:
    return f"{count:,} comment" + ("" if count == 1 else "s")
