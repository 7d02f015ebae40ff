"""Context notes speak the site's language: why a note has its status is said in whole
translated sentences, refusals and the essay's notes line too (in the pseudo language every
translated string is marked ⟦ ⟧; the English is held by test_pages and test_published)."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.notes.eligibility import Reader, write_refusal
from broadsheet.notes.models import Note, NoteSettings, Status
from broadsheet.notes.runs import params_from
from broadsheet.notes.selectors import explanation, note_detail
from broadsheet.publishing.models import Post
from tests.factories import PostFactory
from tests.i18n.test_pseudo_locale import CLOSE, OPEN, in_pseudo, pseudo_locale  # noqa: F401
from tests.i18n.test_pseudo_locale import pytestmark as pseudo_marks
from tests.notes.crowd import note

pytestmark = [*pseudo_marks, pytest.mark.usefixtures("in_pseudo")]


@pytest.fixture
def essay() -> Post:
    return PostFactory(title="On harbours", slug="on-harbours")


def _sentences(target: Note) -> list[str]:
    detail = note_detail(target.pk)
    assert detail is not None
    return explanation(detail, params_from(NoteSettings.current()))


def test_each_sentence_of_why_is_one_translated_string(essay: Post) -> None:
    Note.objects.filter(pk=(shown := note(essay)).pk).update(
        status=Status.SHOWN, intercept=0.52, factor=0.12, scored_ratings=12, ratings_count=12
    )
    rated, why = _sentences(shown)
    assert rated == f"{OPEN}Rated by 12 readers.{CLOSE}"
    assert why.startswith(f"{OPEN}Readers on both sides") and why.endswith(f"±0.50).{CLOSE}")
    few = _sentences(note(essay))
    assert few[0] == f"{OPEN}No one has rated it yet.{CLOSE}"
    assert few[1].endswith(f"it needs 5 more ratings.{CLOSE}")


def test_a_refusal_and_the_essays_notes_line_are_translated(client: Client, essay: Post) -> None:
    assert write_refusal(Reader(False, False, None), NoteSettings.current()) == (
        f"{OPEN}Please sign in to write a context note.{CLOSE}"
    )
    note(essay, status=Status.SHOWN)
    page = client.get(essay.get_absolute_url()).content.decode()
    assert f"{OPEN}Context notes: 1 shown{CLOSE} · " in page
    assert f"{OPEN}Read and rate notes{CLOSE}</a>" in page
