"""A scoring run: every scorable rating read in bulk, the scorer (notes.scoring) fitted on
them, and what it decides written back — the one way a note's status changes. Each run is
recorded (ScoringRun) with each change it made (StatusChange): the note pages' history and
the open data (docs/notes-publishing.md, decision 0063).

The worker reads and fits first (`fit_scores`), outside any transaction, then writes in the
action (`notes_score`): on SQLite a transaction holds the database's one write lock from its
start, and no comment or rating should wait for a fit."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.notes import scoring
from broadsheet.notes.models import Note, NoteSettings, Rating, ScoringRun, Status, StatusChange
from broadsheet.notes.published import MARK
from broadsheet.publishing.additions import post_mark

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
class Fitted:
    """What the scorer decided on one reading of the ratings, not yet written."""

    now: datetime
    index: dict[int, int]  # note id → its place in `scores`
    scores: scoring.Scores
    parameters: dict[str, Any]
    ratings: int
    raters: int
    ignored: int  # ratings by accounts younger than min_account_days
    started: float = field(default_factory=time.perf_counter)


def params_from(settings: NoteSettings) -> scoring.Params:
    """The scorer's parameters as the site's settings give them (a field the settings do not
    have keeps the scorer's default)."""
    known = {f.name: getattr(settings, f.name, None) for f in fields(scoring.Params)}
    return scoring.Params(**{k: v for k, v in known.items() if v is not None})


def _ratings(index: dict[int, int], joined_by: datetime) -> tuple[scoring.Ratings, int]:
    """The ratings of accounts joined by then, as the scorer's arrays (raters in id order);
    and how many others there are."""
    rated = Rating.objects.filter(note__removed=False)
    rows = rated.filter(rater__date_joined__lte=joined_by).values_list(
        "note_id", "rater_id", "value"
    )
    # A note written (or removed) between the two reads: its ratings wait for the next run.
    kept = [row for row in rows if row[0] in index]
    notes = np.fromiter((index[r[0]] for r in kept), dtype=np.int64, count=len(kept))
    rater_ids = np.fromiter((r[1] for r in kept), dtype=np.int64, count=len(kept))
    values = np.fromiter((_VALUES[r[2]] for r in kept), dtype=np.float64, count=len(kept))
    raters, rater_index = np.unique(rater_ids, return_inverse=True)
    arrays = scoring.Ratings(rater_index.astype(np.int64), notes, values, len(raters), len(index))
    return arrays, rated.filter(rater__date_joined__gt=joined_by).count()


def fit_scores(*, now: datetime | None = None) -> Fitted:
    """Read every rating of every note not removed and fit the scorer on those by accounts
    old enough at `now`. Reads only."""
    started = time.perf_counter()
    now = now or timezone.now()
    settings = NoteSettings.current()
    params = params_from(settings)
    ids = Note.objects.filter(removed=False).order_by("pk").values_list("pk", flat=True)
    index = {pk: i for i, pk in enumerate(ids)}
    ratings, ignored = _ratings(index, now - timedelta(days=settings.min_account_days))
    return Fitted(
        now=now, index=index, scores=scoring.score(ratings, params),
        parameters={**params.as_dict(), "min_account_days": settings.min_account_days},
        ratings=len(ratings), raters=ratings.n_raters, ignored=ignored, started=started,
    )  # fmt: skip


def _one_run_at_a_time() -> None:
    """A second run (the worker's and an operator's) waits for the first to commit instead of
    recording the same changes twice. SQLite writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RUN_LOCK])


@action
def notes_score(*, now: datetime | None = None, fitted: Fitted | None = None) -> ScoringRun:
    """Write what a fit decided (`fitted`; without one, fit now, inside this transaction):
    each note's scores and status, the run and its changes. The posts where a note became
    shown or stopped being shown are rendered again."""
    fitted = fitted or fit_scores(now=now)
    _one_run_at_a_time()
    # Read again under the lock: a note removed since the fit keeps its row as it is, and a
    # change is recorded against the status the note has now.
    notes = Note.objects.filter(removed=False).values_list(
        "pk", "post_id", "status", "intercept", "factor", "scored_ratings"
    )
    changes, posts = _write_notes(list(notes), fitted)
    run = ScoringRun.objects.create(
        started_at=fitted.now,
        duration_ms=round((time.perf_counter() - fitted.started) * 1000),
        ratings=fitted.ratings, ignored=fitted.ignored, raters=fitted.raters,
        notes=len(fitted.index), changes=len(changes), parameters=fitted.parameters,
    )  # fmt: skip
    for change in changes:
        change.run = run
    StatusChange.objects.bulk_create(changes, batch_size=BATCH)
    _mark_shown(posts)
    effects.pages(posts=posts)
    return run


def _mark_shown(posts: set[int]) -> None:
    """The essays that now show a note are marked: their pages read their notes from now on
    (publishing.additions)."""
    shown = Note.objects.filter(post__in=posts, status=Status.SHOWN, removed=False)
    post_mark(shown.values("post_id"), MARK)  # one statement


def _write_notes(
    notes: list[tuple[Any, ...]], fitted: Fitted
) -> tuple[list[StatusChange], set[int]]:
    """Each note's scores written where they differ from the last run's (in batches). Returns
    the status changes, not yet saved (they need the run), and the posts whose shown notes
    changed (Needs more ratings ⇄ Not helpful shows nowhere on an essay)."""
    rescored: list[Note] = []  # same status, new numbers
    moved: list[Note] = []  # a new status
    changes: list[StatusChange] = []
    posts: set[int] = set()
    for pk, post, status, *last in notes:
        if (i := fitted.index.get(pk)) is None:
            continue  # written after the fit read the notes: the next run scores it
        new, fit = _decided(fitted.scores, i)
        if (new, *fit) == (status, *last):
            continue
        note = Note(pk=pk, status=new, status_at=fitted.now, intercept=fit[0], factor=fit[1],
                    scored_ratings=fit[2])  # fmt: skip
        (moved if new != status else rescored).append(note)
        if new != status:
            changes.append(StatusChange(note_id=pk, old=status, new=new, intercept=fit[0],
                                        factor=fit[1], ratings=fit[2], at=fitted.now))  # fmt: skip
            if Status.SHOWN in (status, new):
                posts.add(post)
    numbers = ["intercept", "factor", "scored_ratings"]
    Note.objects.bulk_update(rescored, numbers, batch_size=BATCH)
    Note.objects.bulk_update(moved, ["status", "status_at", *numbers], batch_size=BATCH)
    return changes, posts


def _decided(scores: scoring.Scores, i: int) -> tuple[str, tuple[float, float, int]]:
    fit = (float(scores.intercept[i]), float(scores.factor[i]), int(scores.counts[i]))
    return _STATUS[int(scores.status[i])], fit
