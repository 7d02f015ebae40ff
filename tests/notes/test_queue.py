"""The "Needs your help" queue: undecided notes the rater has neither written nor rated,
fewest ratings first, then the oldest, in one query."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from broadsheet.notes.models import Note
from broadsheet.notes.queue import needs_help, rated_by, written_by
from broadsheet.notes.services import note_rate
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, verified_reader
from tests.notes.conftest import a_note

pytestmark = pytest.mark.django_db


def _aged(note: Note, days: int, ratings: int = 0) -> Note:
    created = timezone.now() - timedelta(days=days)
    Note.objects.filter(pk=note.pk).update(created_at=created, ratings_count=ratings)
    return note


def test_fewest_ratings_first_then_the_oldest(
    essay: Post, nora: Any, rita: Any, django_assert_num_queries: Any
) -> None:
    rated_often = _aged(a_note(essay, nora), days=9, ratings=4)
    newer = _aged(a_note(essay, nora), days=1)
    older = _aged(a_note(essay, nora), days=5)
    once = _aged(a_note(essay, nora), days=3, ratings=1)
    with django_assert_num_queries(1):
        queue = needs_help(post=essay, user=rita, limit=3)
    assert queue == [older, newer, once]
    assert rated_often not in queue


def test_own_rated_decided_removed_and_other_essays_notes_are_left_out(
    essay: Post, nora: Any, rita: Any
) -> None:
    waiting = a_note(essay, nora)
    rated = a_note(essay, nora)
    note_rate(note=rated, rater=rita, value="helpful", reasons=[])
    own = a_note(essay, rita)
    shown, removed = a_note(essay, nora), a_note(essay, nora)
    Note.objects.filter(pk=shown.pk).update(status="shown")
    Note.objects.filter(pk=removed.pk).update(removed=True)
    a_note(PostFactory(title="Elsewhere"), nora)
    assert needs_help(post=essay, user=rita) == [waiting]
    assert [r.note for r in rated_by(post=essay, user=rita)] == [rated]
    assert written_by(post=essay, user=rita) == [own]
    assert needs_help(post=essay, user=verified_reader("x"), limit=0) == []
