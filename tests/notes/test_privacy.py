"""A reader's notes and ratings in the personal-data export, and what an erasure does with
them (decision 0062): ratings deleted and counted off, shown notes kept without their writer,
the others deleted."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.accounts.privacy import personal_data, personal_data_erase
from broadsheet.notes.models import Note, Rating
from broadsheet.notes.services import note_rate
from broadsheet.publishing.models import Post
from tests.factories import verified_reader
from tests.notes.conftest import a_note

pytestmark = pytest.mark.django_db


def test_the_export_has_the_accounts_notes_and_ratings(essay: Post, nora: Any, rita: Any) -> None:
    written = a_note(essay, nora, body="Mine.")
    theirs = a_note(essay, rita, body="Theirs.")
    note_rate(note=theirs, rater=nora, value="not_helpful", reasons=["opinion"])
    data = personal_data(email=nora.email, user=nora)
    assert [(row["id"], row["body"], row["status"]) for row in data["context_notes"]] == [
        (written.pk, "Mine.", "needs")
    ]
    assert data["context_notes"][0]["post"]["url"].endswith(essay.get_absolute_url())
    ratings = data["note_ratings"]
    assert [(r["note"], r["value"], r["reasons"]) for r in ratings] == [
        (theirs.pk, "not_helpful", ["opinion"])
    ]
    guest = personal_data(email=nora.email, user=None)
    assert guest["context_notes"] == [] and guest["note_ratings"] == []


def test_erasure_deletes_ratings_and_unshown_notes_and_detaches_shown_ones(
    essay: Post, nora: Any, rita: Any
) -> None:
    shown, waiting = a_note(essay, nora, body="Shown."), a_note(essay, nora, body="Waiting.")
    Note.objects.filter(pk=shown.pk).update(status="shown")
    theirs = a_note(essay, rita)
    note_rate(note=theirs, rater=nora, value="helpful", reasons=[])
    note_rate(note=waiting, rater=rita, value="helpful", reasons=[])
    note_rate(note=theirs, rater=verified_reader("third"), value="helpful", reasons=[])
    counts = personal_data_erase(email=nora.email, user=nora, remove_text=False)
    assert (counts["note_ratings_anonymised"], counts["context_notes_anonymised"]) == (1, 2)
    assert list(Note.objects.order_by("pk").values_list("pk", "author")) == [
        (shown.pk, None), (theirs.pk, rita.pk)
    ]  # fmt: skip
    theirs.refresh_from_db()
    assert theirs.ratings_count == 1 and Rating.objects.count() == 1
