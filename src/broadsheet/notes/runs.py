"""A scoring run: every scorable rating read in bulk, the scorer (notes.scoring) fitted on
them, and what it decides written back — the one way a note's status changes. Each run is
recorded (ScoringRun) with each change it made (StatusChange): the note pages' history and
the open data (docs/notes-publishing.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.notes import scoring
from broadsheet.notes.models import Note, NoteSettings, Rating, ScoringRun, Status, StatusChange

BATCH = 1_000
_VALUES: dict[str, float] = {
    Rating.Value.HELPFUL: scoring.HELPFUL,
    Rating.Value.SOMEWHAT: scoring.SOMEWHAT,
    Rating.Value.NOT_HELPFUL: scoring.NOT_HELPFUL,
}
_STATUS = {scoring.NEEDS: Status.NEEDS_MORE_RATINGS, scoring.SHOWN: Status.SHOWN,
           scoring.UNHELPFUL: Status.NOT_HELPFUL}  # fmt: skip
# Any constant shared by the processes that run scoring: one run at a time (PostgreSQL).
_RUN_LOCK = 1_700_017


@dataclass(frozen=True)
class Inputs:
    """What a run reads: the notes it scores (removed ones are not) and their ratings."""

    notes: list[tuple[Any, ...]]  # (pk, post_id, status, intercept, factor, scored_ratings)
    ratings: scoring.Ratings
    raters: int
    ignored: int  # ratings by accounts younger than min_account_days


def params_from(settings: NoteSettings) -> scoring.Params:
    """The scorer's parameters as the site's settings give them (a field the settings do not
    have keeps the scorer's default)."""
    known = {f.name: getattr(settings, f.name) for f in fields(scoring.Params)}
    return scoring.Params(**{k: v for k, v in known.items() if v is not None})


def _inputs(settings: NoteSettings, now: datetime) -> Inputs:
    notes = list(
        Note.objects.filter(removed=False)
        .order_by("pk")
        .values_list("pk", "post_id", "status", "intercept", "factor", "scored_ratings")
    )
    joined_by = now - timedelta(days=settings.min_account_days)
    rated = Rating.objects.filter(note__removed=False)
    rows = list(
        rated.filter(rater__date_joined__lte=joined_by).values_list("note_id", "rater_id", "value")
    )
    ignored = rated.filter(rater__date_joined__gt=joined_by).count()
    return _arrays(notes, rows, ignored)


def _arrays(notes: list[tuple[Any, ...]], rows: list[tuple[int, int, str]], ignored: int) -> Inputs:
    """Ids mapped to the scorer's indexes: notes in `notes` order, raters in id order."""
    index = {row[0]: i for i, row in enumerate(notes)}
    # A note written (or removed) between the two reads: its ratings wait for the next run.
    rows = [row for row in rows if row[0] in index]
    note_ids = np.fromiter((index[r[0]] for r in rows), dtype=np.int64, count=len(rows))
    rater_ids = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    values = np.fromiter((_VALUES[r[2]] for r in rows), dtype=np.float64, count=len(rows))
    raters, rater_index = np.unique(rater_ids, return_inverse=True)
    ratings = scoring.Ratings(
        rater_index.astype(np.int64), note_ids, values, len(raters), len(notes)
    )
    return Inputs(notes, ratings, len(raters), ignored)


def _one_run_at_a_time() -> None:
    """A second run (the worker's and an operator's) waits for the first to commit instead of
    recording the same changes twice. SQLite writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RUN_LOCK])


@action
def notes_score(*, now: datetime | None = None) -> ScoringRun:
    """Score every note that is not removed on every rating by an account old enough, write
    the statuses, record the run and its changes; posts whose shown notes changed are
    rendered again."""
    now = now or timezone.now()
    started = time.perf_counter()
    _one_run_at_a_time()
    settings = NoteSettings.current()
    params = params_from(settings)
    inputs = _inputs(settings, now)
    scores = scoring.score(inputs.ratings, params)
    changes = _write_notes(inputs.notes, scores, now)
    run = ScoringRun.objects.create(
        started_at=now,
        duration_ms=round((time.perf_counter() - started) * 1000),
        ratings=len(inputs.ratings),
        ignored=inputs.ignored,
        raters=inputs.raters,
        notes=len(inputs.notes),
        changes=len(changes),
        parameters={**params.as_dict(), "min_account_days": settings.min_account_days},
    )
    for change in changes:
        change.run = run
    StatusChange.objects.bulk_create(changes, batch_size=BATCH)
    effects.pages(posts=_posts_shown_differently(changes, inputs.notes))
    return run


def _write_notes(
    notes: list[tuple[Any, ...]], scores: scoring.Scores, now: datetime
) -> list[StatusChange]:
    """Each note's scores written where they differ from the last run's (in batches); the
    status changes returned, not yet saved (they need the run)."""
    rescored: list[Note] = []  # same status, new numbers
    moved: list[Note] = []  # a new status
    changes: list[StatusChange] = []
    for i, (pk, _post, status, intercept, factor, counted) in enumerate(notes):
        new = _STATUS[int(scores.status[i])]
        fit = (float(scores.intercept[i]), float(scores.factor[i]), int(scores.counts[i]))
        if new == status and fit == (intercept, factor, counted):
            continue
        note = Note(pk=pk, status=new, status_at=now, intercept=fit[0], factor=fit[1],
                    scored_ratings=fit[2])  # fmt: skip
        if new == status:
            rescored.append(note)
            continue
        moved.append(note)
        changes.append(StatusChange(note_id=pk, old=status, new=new, intercept=fit[0],
                                    factor=fit[1], ratings=fit[2], at=now))  # fmt: skip
    numbers = ["intercept", "factor", "scored_ratings"]
    Note.objects.bulk_update(rescored, numbers, batch_size=BATCH)
    Note.objects.bulk_update(moved, ["status", "status_at", *numbers], batch_size=BATCH)
    return changes


def _posts_shown_differently(changes: list[StatusChange], notes: list[tuple[Any, ...]]) -> set[int]:
    """The posts a change of status shows or hides a note on (Needs more ratings ⇄ Not
    helpful changes what no post page shows)."""
    post_of = {row[0]: row[1] for row in notes}
    return {post_of[c.note_id] for c in changes if Status.SHOWN in (c.old, c.new)}
