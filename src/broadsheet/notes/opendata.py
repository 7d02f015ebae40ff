"""The notes' open data, as Community Notes publishes its own: every note, rating, status change
and scoring run, one tab-separated file each, written row by row as they are read (decision
0065; the columns in docs/notes-publishing.md).

People appear only as participant ids: an HMAC-SHA256 of the account's id under a key derived
from SECRET_KEY, cut to 16 hex digits — the same person has the same id in every file and
every download, and no one without the key can go back to the account. No name, email
address or account id is written. Removed notes, their ratings and history are left out,
as are the notes of essays readers cannot read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac

from broadsheet.notes.models import Note, Rating, ScoringRun, StatusChange
from broadsheet.notes.selectors import source_links
from broadsheet.publishing.models import Post

CHUNK = 2_000


def participant(user_id: int | None) -> str:
    """A person's id in the open data ("" for an account since deleted)."""
    if user_id is None:
        return ""
    return _participant(user_id)


@lru_cache(maxsize=100_000)
def _participant(user_id: int) -> str:
    digest = salted_hmac("broadsheet.notes.open-data", str(user_id), algorithm="sha256")
    return digest.hexdigest()[:16]


def _time(value: datetime | None, *, hour: bool = False) -> str:
    """UTC, ISO 8601. Readers' own acts to the hour only: a pseudonymous id next to the exact
    minute a person rated is easier to tie to that person."""
    if value is None:
        return ""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:00Z" if hour else "%Y-%m-%dT%H:%M:%SZ")


def _text(value: str) -> str:
    return value.replace("\x00", "")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def _essays() -> dict[int, str]:
    """The public essays' full addresses, by id (a note's file names its essay by address)."""
    posts = Post.objects.public().posts().only("pk", "kind", "slug", "published_at", "status")
    return {post.pk: f"{settings.SITE_URL}{post.get_absolute_url()}" for post in posts}


def _public_notes() -> QuerySet[Note]:
    return Note.objects.filter(removed=False, post__in=Post.objects.public().posts())


NOTES = ("noteId", "essayUrl", "passage", "quote", "createdAt", "participantId", "status",
         "statusAt", "helpfulnessScore", "lean", "scoredRatings", "ratingsCount", "text",
         "sources")  # fmt: skip


def note_rows() -> Iterator[list[Any]]:
    essays = _essays()
    rows = _public_notes().order_by("pk").values_list(
        "pk", "post_id", "passage", "exact", "created_at", "author_id", "status", "status_at",
        "intercept", "factor", "scored_ratings", "ratings_count", "body", "sources", named=True,
    )  # fmt: skip
    for n in rows.iterator(chunk_size=CHUNK):
        essay = essays.get(n.post_id)
        if essay is None:  # published since the addresses were read: in the next download
            continue
        links = " ".join(link.href for link in source_links(n.sources, essay))
        yield [n.pk, essay, n.passage, _text(n.exact), _time(n.created_at, hour=True),
               participant(n.author_id), n.status, _time(n.status_at), _number(n.intercept),
               _number(n.factor), n.scored_ratings, n.ratings_count, _text(n.body), links]  # fmt: skip


RATINGS = ("noteId", "participantId", "createdAt", "updatedAt", "value", "reasons")


def rating_rows() -> Iterator[list[Any]]:
    notes = _public_notes()
    rows = Rating.objects.filter(note__in=notes).order_by("pk").values_list(
        "note_id", "rater_id", "created_at", "updated_at", "value", "reasons"
    )  # fmt: skip
    for note, rater, created, updated, value, reasons in rows.iterator(chunk_size=CHUNK):
        tags = ",".join(str(r) for r in reasons) if isinstance(reasons, list) else ""
        yield [note, participant(rater), _time(created, hour=True), _time(updated, hour=True),
               value, _text(tags)]  # fmt: skip


HISTORY = ("noteId", "runId", "at", "old", "new", "helpfulnessScore", "lean", "ratings")


def history_rows() -> Iterator[list[Any]]:
    notes = _public_notes()
    rows = StatusChange.objects.filter(note__in=notes).order_by("at", "pk").values_list(
        "note_id", "run_id", "at", "old", "new", "intercept", "factor", "ratings"
    )  # fmt: skip
    for note, run, at, old, new, i, f, ratings in rows.iterator(chunk_size=CHUNK):
        yield [note, run, _time(at), old, new, _number(i), _number(f), ratings]


RUNS = ("runId", "startedAt", "durationMs", "ratings", "ignored", "raters", "notes",
        "changes", "parameters")  # fmt: skip


def run_rows() -> Iterator[list[Any]]:
    rows = ScoringRun.objects.order_by("started_at", "pk").values_list(
        "pk", "started_at", "duration_ms", "ratings", "ignored", "raters", "notes", "changes",
        "parameters",
    )  # fmt: skip
    for pk, started, *counts, parameters in rows.iterator(chunk_size=CHUNK):
        yield [pk, _time(started), *counts, json.dumps(parameters, sort_keys=True)]


FILES: dict[str, tuple[tuple[str, ...], Callable[[], Iterator[list[Any]]]]] = {
    "notes.tsv": (NOTES, note_rows),
    "ratings.tsv": (RATINGS, rating_rows),
    "status-history.tsv": (HISTORY, history_rows),
    "scoring-runs.tsv": (RUNS, run_rows),
}


class _Line:
    """What csv.writer writes to: the line it was given, returned (nothing is kept)."""

    def write(self, line: str) -> str:
        return line


def tsv(name: str) -> Iterable[str]:
    """The file's lines: its header, then its rows (quoted as csv quotes a field holding a tab,
    a newline or a double quote)."""
    header, rows = FILES[name]
    writer = csv.writer(_Line(), delimiter="\t", lineterminator="\n")
    yield writer.writerow(header)
    for row in rows():
        yield writer.writerow(row)
