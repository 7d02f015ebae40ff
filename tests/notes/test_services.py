"""Writing and rating notes through the actions: the checks cannot be skipped by calling them
directly, a rating is one per reader and note and changeable, and the limits hold."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import pytest

from broadsheet.core.anchoring import select
from broadsheet.corrections.sources import Source
from broadsheet.notes.models import MAX_BODY, Note, NoteSettings, Rating
from broadsheet.notes.services import Refused, note_rate, note_write
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from tests.factories import PostFactory, verified_reader
from tests.notes.conftest import GOOD_SOURCE, a_note

pytestmark = pytest.mark.django_db


def _settings(**fields: Any) -> None:
    settings = NoteSettings.current()
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save()


def test_a_note_on_the_whole_essay_has_no_passage(essay: Post, nora: Any) -> None:
    note = a_note(essay, nora, body="  The ledger\x00 says 1862.  ")
    assert (note.passage, note.exact, note.start, note.status) == ("", "", None, "needs")
    assert note.body == "The ledger says 1862."
    assert note.sources == [{"kind": "url", "value": GOOD_SOURCE}]
    assert (note.revision, note.version, note.author) == (essay.revision, essay.version, nora)


def test_a_note_on_a_passage_stores_the_checked_selection(essay: Post, nora: Any) -> None:
    texts = post_passages(essay)
    selector = select(texts, passage=texts[0].id, exact="dredged in 1826")
    note = a_note(essay, nora, selector=selector)
    assert (note.passage, note.exact, note.start, note.end) == (
        texts[0].id,
        "dredged in 1826",
        16,
        31,
    )
    assert note.prefix == "The harbour was "


@pytest.mark.parametrize(
    ("body", "sources", "message"),
    [
        ("  \x00 ", [Source("url", GOOD_SOURCE)], "Please write the note"),
        ("x" * (MAX_BODY + 1), [Source("url", GOOD_SOURCE)], "at most 1,000 characters"),
        ("Fine.", [], "at least one source"),
    ],
)
def test_a_note_without_text_or_sources_is_refused(
    essay: Post, nora: Any, body: str, sources: list[Source], message: str
) -> None:
    with pytest.raises(Refused, match=message):
        a_note(essay, nora, body=body, sources=sources)
    assert not Note.objects.exists()


def test_who_may_not_write_is_refused_with_the_reason(essay: Post) -> None:
    with pytest.raises(Refused, match="7 days old"):
        a_note(essay, verified_reader("young", days=1))
    with pytest.raises(Refused, match="verify your email"):
        a_note(essay, verified_reader("unverified", verified=False))
    _settings(enabled=False)
    with pytest.raises(Refused, match="does not take context notes"):
        a_note(essay, verified_reader("closed"))
    assert not Note.objects.exists()


def test_notes_are_written_on_public_essays_only(nora: Any) -> None:
    for post in (
        PostFactory(kind=Post.Kind.PAGE, slug="about"),
        PostFactory(status=Post.Status.DRAFT),
    ):
        with pytest.raises(Refused, match="published essays only"):
            a_note(post, nora)


def test_notes_a_day_are_limited_per_account(essay: Post, nora: Any, rita: Any) -> None:
    _settings(notes_per_day=2)
    a_note(essay, nora), a_note(essay, nora)
    with pytest.raises(Refused, match="2 notes today") as refused:
        a_note(essay, nora)
    assert refused.value.status == 429
    a_note(essay, rita)  # counted per account
    assert Note.objects.count() == 3


def test_a_rating_is_stored_once_and_can_be_changed(essay: Post, nora: Any, rita: Any) -> None:
    note = a_note(essay, nora)
    first = note_rate(note=note, rater=rita, value="helpful", reasons=["clear", "good_sources"])
    assert (first.value, first.reasons) == ("helpful", ["good_sources", "clear"])
    again = note_rate(note=note, rater=rita, value="not_helpful", reasons=["opinion"])
    assert again.pk == first.pk and (again.value, again.reasons) == ("not_helpful", ["opinion"])
    assert again.created_at == first.created_at and again.updated_at >= first.updated_at
    note.refresh_from_db()
    assert note.ratings_count == 1 and Rating.objects.count() == 1
    note_rate(note=note, rater=verified_reader("third"), value="somewhat", reasons=[])
    note.refresh_from_db()
    assert note.ratings_count == 2


def test_an_author_cannot_rate_their_own_note(essay: Post, nora: Any) -> None:
    note = a_note(essay, nora)
    with pytest.raises(Refused, match="You wrote this note"):
        note_rate(note=note, rater=nora, value="helpful", reasons=[])
    assert not Rating.objects.exists()


def test_forged_values_and_reasons_are_refused(essay: Post, nora: Any, rita: Any) -> None:
    note = a_note(essay, nora)
    with pytest.raises(Refused, match="Please choose Helpful"):
        note_rate(note=note, rater=rita, value="very", reasons=[])
    with pytest.raises(Refused, match="is a reason for a note that is not helpful"):
        note_rate(note=note, rater=rita, value="helpful", reasons=["opinion"])
    Note.objects.filter(pk=note.pk).update(removed=True)
    note.refresh_from_db()
    with pytest.raises(Refused, match="removed by a moderator"):
        note_rate(note=note, rater=rita, value="helpful", reasons=[])
    assert not Rating.objects.exists()


def test_a_young_account_s_rating_is_stored(essay: Post, nora: Any) -> None:
    rating = note_rate(note=a_note(essay, nora), rater=verified_reader("new", days=0),
                       value="helpful", reasons=[])  # fmt: skip
    assert Rating.objects.get() == rating


def test_unverified_and_anonymous_raters_are_refused(essay: Post, nora: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    note = a_note(essay, nora)
    for rater in (verified_reader("unverified", verified=False), AnonymousUser()):
        with pytest.raises(Refused):
            note_rate(note=note, rater=rater, value="helpful", reasons=[])
    assert not Rating.objects.exists()


def test_ratings_an_hour_are_limited_per_account(essay: Post, nora: Any, rita: Any) -> None:
    _settings(ratings_per_hour=2)
    notes = [a_note(essay, nora) for _ in range(3)]
    note_rate(note=notes[0], rater=rita, value="helpful", reasons=[])
    note_rate(note=notes[0], rater=rita, value="somewhat", reasons=[])  # a change counts too
    with pytest.raises(Refused, match="2 notes in the last hour") as refused:
        note_rate(note=notes[1], rater=rita, value="helpful", reasons=[])
    assert refused.value.status == 429 and Rating.objects.count() == 1


def test_a_rating_asks_for_a_scoring_run_once_committed(
    essay: Post, nora: Any, rita: Any, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    asked: list[bool] = []
    tasks = SimpleNamespace(schedule_scoring=lambda: asked.append(True))
    monkeypatch.setitem(sys.modules, "broadsheet.notes.tasks", tasks)
    note = a_note(essay, nora)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note_rate(note=note, rater=rita, value="helpful", reasons=[])
    assert not asked
    for callback in callbacks:
        callback()
    assert asked == [True]


def test_writing_a_note_asks_for_no_scoring_run(
    essay: Post, nora: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        note_write(post=essay, author=nora, body="Context.", sources=[Source("doi", "10.1234/x")],
                   selector=None)  # fmt: skip
    assert callbacks == []
