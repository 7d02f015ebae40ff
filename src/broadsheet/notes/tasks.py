"""The worker's scoring runs: queued after new ratings, at most one every
`NoteSettings.scoring_interval_minutes` (docs/notes-publishing.md, decision 0063)."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from broadsheet.notes.models import NoteSettings

# Held for one interval by the rating that queued the next run: the ratings after it, until
# the run starts, are read by that run and need none of their own.
_LOCK = "broadsheet:notes:scoring-queued"


@task()
def score_notes() -> int:
    """One scoring run over every scorable rating; returns how many statuses changed. The fit
    comes first, outside the run's transaction (notes.runs)."""
    from broadsheet.notes.runs import fit_scores, notes_score

    return notes_score(fitted=fit_scores()).changes


def schedule_scoring() -> bool:
    """Queue a scoring run one interval from now, unless one is queued already (called by
    note_rate after its commit). Returns whether this call queued it."""
    minutes = max(NoteSettings.current().scoring_interval_minutes, 0)
    if minutes and not cache.add(_LOCK, 1, timeout=minutes * 60):
        return False
    scoring = score_notes
    # The run waits out the interval so the ratings made meanwhile join it (one run, not one
    # per rating). A backend that cannot defer runs it at once: the lock still spaces runs,
    # and a rating made in the rest of the interval waits for the next rating's run.
    if minutes and scoring.get_backend().supports_defer:
        scoring = scoring.using(run_after=timezone.now() + timedelta(minutes=minutes))
    scoring.enqueue()
    return True
