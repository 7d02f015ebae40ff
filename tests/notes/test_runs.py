"""Scoring runs: the one way a note's status changes, each recorded with its inputs and its
changes; young accounts' ratings stored but not scored; the posts whose shown notes changed
rendered again, and only those; the worker's schedule; a moderator's removal."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from broadsheet.accounts.models import User
from broadsheet.notes import moderation, runs, scoring
from broadsheet.notes.models import Note, NoteSettings, Rating, ScoringRun, Status, StatusChange
from broadsheet.notes.moderation import note_remove
from broadsheet.notes.runs import notes_score
from broadsheet.notes.tasks import schedule_scoring, score_notes
from tests.factories import PostFactory
from tests.notes.crowd import Crowd, note, rate, reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay() -> Any:
    return PostFactory(title="On harbours")


@pytest.fixture
def crowd(essay: Any) -> Crowd:
    return Crowd(essay)


def _fresh(target: Note) -> Note:
    return Note.objects.get(pk=target.pk)


def test_a_note_both_camps_find_helpful_is_shown_and_the_run_recorded(
    essay: Any, crowd: Crowd
) -> None:
    bridged = crowd.bridge(note(essay, "Both sides agree on this."))
    now = timezone.now()
    run = notes_score(now=now)

    shown = _fresh(bridged)
    assert shown.status == Status.SHOWN and shown.status_at == now
    assert shown.intercept is not None and shown.intercept >= 0.40
    assert shown.factor is not None and abs(shown.factor) < 0.50
    assert shown.scored_ratings == 8
    assert (run.ratings, run.ignored, run.raters, run.notes, run.changes) == (40, 0, 8, 5, 1)
    assert run.started_at == now and run.duration_ms >= 0
    settings = NoteSettings.current()
    assert run.parameters["shown_intercept"] == settings.shown_intercept
    assert run.parameters["min_account_days"] == settings.min_account_days
    change = StatusChange.objects.get()
    assert (change.note_id, change.run_id, change.old, change.new) == (
        bridged.pk, run.pk, Status.NEEDS_MORE_RATINGS, Status.SHOWN,
    )  # fmt: skip
    assert (change.intercept, change.factor, change.ratings) == (
        shown.intercept, shown.factor, 8,
    )  # fmt: skip


def test_partisan_notes_stay_unshown_and_rejected_ones_are_set_aside(
    essay: Any, crowd: Crowd
) -> None:
    rejected = crowd.reject(note(essay, "Wrong on every count."))
    notes_score()
    assert {_fresh(n).status for n in crowd.partisan} == {Status.NEEDS_MORE_RATINGS}
    assert all(_fresh(n).scored_ratings == 8 for n in crowd.partisan)
    assert _fresh(rejected).status == Status.NOT_HELPFUL
    assert StatusChange.objects.get().new == Status.NOT_HELPFUL


def test_ratings_from_young_accounts_are_stored_but_not_scored(essay: Any, crowd: Crowd) -> None:
    brigaded = note(essay, "Only new accounts like this.")
    newcomers = [reader(days=1) for _ in range(10)]
    rate(brigaded, newcomers, Rating.Value.HELPFUL)
    run = notes_score()
    assert (run.ratings, run.ignored, run.raters) == (32, 10, 8)
    assert _fresh(brigaded).status == Status.NEEDS_MORE_RATINGS
    assert _fresh(brigaded).scored_ratings == 0
    assert Rating.objects.filter(note=brigaded).count() == 10  # kept for when they are older


def test_old_enough_is_counted_from_the_runs_time(essay: Any, crowd: Crowd) -> None:
    later = note(essay, "Rated by accounts a day old.")
    rate(later, [reader(days=1) for _ in range(3)], Rating.Value.HELPFUL)
    assert notes_score().ignored == 3
    assert notes_score(now=timezone.now() + timedelta(days=7)).ignored == 0


def test_a_removed_note_is_not_scored_and_keeps_its_status(essay: Any, crowd: Crowd) -> None:
    bridged = crowd.bridge(note(essay))
    note_remove(note=bridged, by=None)
    run = notes_score()
    assert run.notes == 4 and run.ratings == 32
    removed = _fresh(bridged)
    assert removed.removed and removed.status == Status.NEEDS_MORE_RATINGS
    assert not StatusChange.objects.exists()


def test_removing_keeps_the_status_the_last_run_gave(essay: Any, crowd: Crowd) -> None:
    bridged = crowd.bridge(note(essay))
    notes_score()
    note_remove(note=_fresh(bridged), by=None)
    assert _fresh(bridged).status == Status.SHOWN and _fresh(bridged).removed


def test_a_run_that_changes_nothing_records_no_change(essay: Any, crowd: Crowd) -> None:
    crowd.bridge(note(essay))
    notes_score()
    again = notes_score()
    assert again.changes == 0 and StatusChange.objects.count() == 1
    assert ScoringRun.objects.count() == 2


def test_a_status_changes_again_when_ratings_change(essay: Any, crowd: Crowd) -> None:
    bridged = crowd.bridge(note(essay))
    first = notes_score()
    Rating.objects.filter(note=bridged).update(value=Rating.Value.NOT_HELPFUL)
    second = notes_score()
    history = list(StatusChange.objects.filter(note=bridged).values_list("run", "old", "new"))
    assert history == [
        (first.pk, Status.NEEDS_MORE_RATINGS, Status.SHOWN),
        (second.pk, Status.SHOWN, Status.NOT_HELPFUL),
    ]


def test_the_run_uses_the_sites_parameters(essay: Any, crowd: Crowd) -> None:
    bridged = crowd.bridge(note(essay))
    settings = NoteSettings.current()
    settings.min_ratings = 9  # one more than it has
    settings.save()
    run = notes_score()
    assert run.parameters["min_ratings"] == 9
    assert _fresh(bridged).status == Status.NEEDS_MORE_RATINGS


def test_a_runs_queries_do_not_grow_with_the_notes(
    essay: Any, crowd: Crowd, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        rate(note(essay, f"Note {n}."), crowd.everyone[: 1 + n % 8], Rating.Value.HELPFUL)
    # A lock (PostgreSQL), the settings, the notes, the ratings, the ignored count, two
    # batched updates, the run, its changes, the essays now showing a note marked (one
    # statement): the atomic block's savepoints aside.
    with django_assert_max_num_queries(13):
        assert notes_score().notes == 34


def _many_ratings(notes: int, raters: int, per_rater: int) -> int:
    """`raters` accounts each rating `per_rater` of `notes` notes (written in bulk)."""
    essay = PostFactory()
    made = Note.objects.bulk_create(Note(post=essay, body=f"n{n}") for n in range(notes))
    old = timezone.now() - timedelta(days=30)
    users = User.objects.bulk_create(
        User(username=f"bulk{n}", email=f"bulk{n}@example.org", date_joined=old)
        for n in range(raters)
    )
    values = list(Rating.Value)
    rows = (
        Rating(note=made[(u * 7 + k * 13) % notes], rater=user, value=values[(u + k) % 3])
        for u, user in enumerate(users)
        for k in range(per_rater)
    )
    Rating.objects.bulk_create(rows, batch_size=5_000)
    return raters * per_rater


def test_a_run_reads_and_writes_100k_ratings_in_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    count = _many_ratings(notes=2_000, raters=1_000, per_rater=100)
    seen: list[scoring.Ratings] = []

    def fitted(ratings: scoring.Ratings, params: scoring.Params) -> scoring.Scores:
        """The fit is the scorer's budget (bench/notes.py): here every note gets new numbers,
        one in ten is shown."""
        seen.append(ratings)
        n = ratings.n_notes
        status = np.where(np.arange(n) % 10 == 0, scoring.SHOWN, scoring.NEEDS)
        counts = np.bincount(ratings.notes, minlength=n)
        return scoring.Scores(status, np.linspace(-1, 1, n), np.linspace(1, -1, n), counts)

    monkeypatch.setattr(runs.scoring, "score", fitted)
    with CaptureQueriesContext(connection) as queries:
        run = notes_score()
    assert run.ratings == count == 100_000 and run.notes == 2_000 and run.changes == 200
    assert seen[0].n_raters == 1_000 and seen[0].raters.max() == 999
    # Read in a few statements and written back in batches of a hundred notes or more (the
    # SQLite driver caps a statement's parameters), not a statement per rating or note. Its
    # time is bench/notes.py's: a timed test fails on a busy machine.
    writes = [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert len(queries.captured_queries) < 40 and len(writes) <= 2_000 // 100
    assert Note.objects.filter(intercept__isnull=False).count() == 2_000
    assert Note.objects.filter(status=Status.SHOWN).count() == 200


def test_params_follow_the_settings_fields_the_scorer_knows() -> None:
    settings = NoteSettings.current()
    settings.lambda_factor = 0.05
    settings.save()
    params = runs.params_from(NoteSettings.current())
    assert asdict(params) == asdict(scoring.Params()) | {"lambda_factor": 0.05}


# --- what a run makes stale -----------------------------------------------------------------


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """The posts each `pages` effect named (the end-to-end check, with the page cache, is in
    test_published)."""
    calls: list[set[int]] = []
    spy = SimpleNamespace(pages=lambda *, posts=(), **kw: calls.append(set(posts)))
    for module in (runs, moderation):
        monkeypatch.setattr(module, "effects", spy)
    return calls


def test_a_run_refreshes_only_the_posts_whose_shown_notes_changed(
    declared: list[set[int]],
) -> None:
    shown_on, unshown_on, quiet = PostFactory(), PostFactory(), PostFactory()
    crowd = Crowd(quiet)
    crowd.bridge(note(shown_on, "Will be shown."))
    crowd.reject(note(unshown_on, "Will be set aside."))
    notes_score()
    assert declared == [{shown_on.pk}]


def test_a_run_that_hides_a_shown_note_refreshes_its_post(
    essay: Any, crowd: Crowd, declared: list[set[int]]
) -> None:
    bridged = crowd.bridge(note(essay))
    notes_score()
    Rating.objects.filter(note=bridged).update(value=Rating.Value.NOT_HELPFUL)
    notes_score()
    assert declared == [{essay.pk}, {essay.pk}]


def test_a_run_without_changes_refreshes_nothing(
    essay: Any, crowd: Crowd, declared: list[set[int]]
) -> None:
    notes_score()
    assert declared == [set()]


def test_removing_a_note_refreshes_its_post(essay: Any, declared: list[set[int]]) -> None:
    note_remove(note=note(essay), by=None)
    assert declared == [{essay.pk}]


# --- the worker's schedule ------------------------------------------------------------------


def _queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="score_notes"))


def test_ratings_queue_one_run_per_interval_after_it() -> None:
    before = timezone.now()
    assert schedule_scoring() is True
    assert schedule_scoring() is False  # a rating a moment later joins the queued run
    (queued,) = _queued()
    minutes = NoteSettings.current().scoring_interval_minutes
    assert queued.run_after is not None
    assert before + timedelta(minutes=minutes) <= queued.run_after
    assert queued.run_after <= timezone.now() + timedelta(minutes=minutes)


def test_the_next_interval_queues_the_next_run() -> None:
    from django.core.cache import cache

    from broadsheet.notes import tasks

    schedule_scoring()
    cache.delete(tasks._LOCK)  # the interval has passed
    assert schedule_scoring() is True
    assert len(_queued()) == 2


def test_without_an_interval_every_rating_queues_a_run_at_once() -> None:
    settings = NoteSettings.current()
    settings.scoring_interval_minutes = 0
    settings.save()
    assert schedule_scoring() and schedule_scoring()
    queued = _queued()
    assert len(queued) == 2 and all(q.task.run_after is None for q in queued)


def test_the_workers_task_runs_a_scoring_run(essay: Any, crowd: Crowd) -> None:
    crowd.bridge(note(essay))
    assert score_notes.call() == 1
    assert ScoringRun.objects.get().changes == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_fits_outside_any_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite a transaction holds the one write lock: no comment waits for a fit."""
    essay = PostFactory()
    Crowd(essay).bridge(note(essay))
    real_score = scoring.score
    during: list[bool] = []

    def watched(ratings: scoring.Ratings, params: scoring.Params) -> scoring.Scores:
        during.append(connection.in_atomic_block)
        return real_score(ratings, params)

    monkeypatch.setattr(runs.scoring, "score", watched)
    assert score_notes.call() == 1
    assert during == [False]


def test_a_note_removed_after_the_fit_is_not_written(essay: Any, crowd: Crowd) -> None:
    bridged = crowd.bridge(note(essay))
    fitted = runs.fit_scores()
    note_remove(note=bridged, by=None)
    run = notes_score(fitted=fitted)
    assert run.changes == 0 and _fresh(bridged).status == Status.NEEDS_MORE_RATINGS
    assert _fresh(bridged).intercept is None


def test_a_note_written_after_the_fit_waits_for_the_next_run(essay: Any, crowd: Crowd) -> None:
    fitted = runs.fit_scores()
    late = crowd.bridge(note(essay, "Written during the fit."))
    assert notes_score(fitted=fitted).changes == 0
    assert _fresh(late).intercept is None
    assert notes_score().changes == 1


# --- moderators ------------------------------------------------------------------------------


def _admin() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw-pw-pw-pw"))
    return client


def test_a_moderator_removes_notes_from_the_admin(essay: Any) -> None:
    kept, removed = note(essay, "Fine."), note(essay, "Breaks the rules.")
    response = _admin().post(
        "/admin/notes/note/", {"action": "remove", "_selected_action": [removed.pk]}
    )
    assert response.status_code == 302
    assert _fresh(removed).removed and not _fresh(kept).removed


def test_the_admin_cannot_set_a_status(essay: Any) -> None:
    target = note(essay)
    admin = _admin()
    assert admin.get(f"/admin/notes/note/{target.pk}/change/").status_code == 200  # to read
    response = admin.post(f"/admin/notes/note/{target.pk}/change/", {"status": Status.SHOWN})
    assert response.status_code == 403
    assert _fresh(target).status == Status.NEEDS_MORE_RATINGS
    assert admin.get("/admin/notes/scoringrun/").status_code == 200
    assert admin.get("/admin/notes/notesettings/").status_code == 302  # to its one row


def test_an_operator_runs_the_scorer_from_the_command_line(essay: Any, crowd: Crowd) -> None:
    from io import StringIO

    from django.core.management import call_command

    crowd.bridge(note(essay))
    out = StringIO()
    call_command("score_notes", stdout=out)
    assert "Scored 5 notes on 40 ratings by 8 readers" in out.getvalue()
    assert "statuses changed: 1." in out.getvalue()


def test_a_rating_queues_the_next_run_once_committed(
    essay: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from broadsheet.notes.services import note_rate
    from tests.factories import verified_reader

    target = note(essay, author=verified_reader("nora"))
    with django_capture_on_commit_callbacks(execute=True) as committed:
        note_rate(note=target, rater=verified_reader("rita"), value="helpful", reasons=[])
        assert _queued() == []  # nothing before the commit
    assert committed and len(_queued()) == 1
    with django_capture_on_commit_callbacks(execute=True) as committed_again:
        note_rate(note=target, rater=verified_reader("remy"), value="somewhat", reasons=[])
    assert committed_again and len(_queued()) == 1  # within the interval: the same run reads it
