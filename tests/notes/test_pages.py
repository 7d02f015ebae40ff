"""A note's own page (status, why, history; 410 once removed) and the open data files
(anonymised, streamed, parseable)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.notes.models import Note, NoteSettings, Rating, Status
from broadsheet.notes.moderation import note_remove
from broadsheet.notes.opendata import participant
from broadsheet.notes.runs import notes_score, params_from
from broadsheet.notes.selectors import explanation, note_detail
from broadsheet.publishing.models import Post
from tests.factories import PostFactory
from tests.notes.crowd import Crowd, note, passage_note, rate, reader

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def essay() -> Post:
    return PostFactory(title="On harbours", slug="on-harbours")


def _why(target: Note) -> str:
    detail = note_detail(target.pk)
    assert detail is not None
    return " ".join(explanation(detail, params_from(NoteSettings.current())))


def _scored(target: Note, **numbers: Any) -> Note:
    """The note as a run left it (the explanation reads only these numbers)."""
    Note.objects.filter(pk=target.pk).update(**numbers)
    return Note.objects.get(pk=target.pk)


# --- why a note has its status ---------------------------------------------------------------


def test_a_shown_note_is_explained_with_its_score_and_lean(essay: Post) -> None:
    shown = _scored(note(essay), status=Status.SHOWN, intercept=0.52, factor=0.12,
                    scored_ratings=12, ratings_count=12)  # fmt: skip
    assert _why(shown) == (
        "Rated by 12 readers. Readers on both sides of the essay's usual divide rated it "
        "helpful: its helpfulness score is 0.52 (a note is shown from 0.40) and its lean is "
        "0.12 (a note is shown only while its lean stays within ±0.50)."
    )


def test_a_note_shown_by_the_both_sides_rule_says_why_below_the_bar(essay: Post) -> None:
    shown = _scored(note(essay), status=Status.SHOWN, intercept=0.36, factor=0.2,
                    scored_ratings=9)  # fmt: skip
    why = _why(shown)
    assert "its lean is 0.20, within ±0.50, and readers typical of either side" in why
    assert why.endswith("at the usual bar of 0.40, though its helpfulness score is 0.36.")


def test_a_lean_that_rounds_to_zero_has_no_sign(essay: Post) -> None:
    shown = _scored(note(essay), status=Status.SHOWN, intercept=0.5, factor=-0.001,
                    scored_ratings=8)  # fmt: skip
    assert "its lean is 0.00 (" in _why(shown)


def test_a_note_with_too_few_ratings_says_how_many_more_it_needs(essay: Post) -> None:
    few = _scored(note(essay), intercept=0.6, factor=0.0, scored_ratings=3, ratings_count=3)
    assert _why(few) == (
        "Rated by 3 readers. A note needs at least 5 ratings before it can be shown or set "
        "aside: it needs 2 more ratings."
    )
    one = _scored(note(essay), intercept=0.6, factor=0.0, scored_ratings=4, ratings_count=4)
    assert _why(one).endswith("it needs 1 more rating.")


def test_a_note_no_one_rated_says_how_many_ratings_it_needs(essay: Post) -> None:
    assert _why(note(essay)) == (
        "No one has rated it yet. A note needs at least 5 ratings before it can be shown or "
        "set aside: it needs 5 more ratings."
    )
    scored = _scored(note(essay), intercept=0.0, factor=0.0)  # a run saw it, with no rating
    assert _why(scored).startswith("No one has rated it yet. A note needs at least 5")


def test_a_note_not_yet_scored_says_so(essay: Post) -> None:
    fresh = _scored(note(essay), ratings_count=1)
    assert _why(fresh).startswith("Rated by 1 reader. No scoring run has counted its ratings yet")


def test_a_note_rated_along_the_divide_says_it_leans(essay: Post) -> None:
    leaning = _scored(note(essay), intercept=0.45, factor=-0.8, scored_ratings=9)
    why = _why(leaning)
    assert "Its ratings follow the essay's usual divide" in why
    assert "its lean is −0.80 (a note is shown only while its lean stays within ±0.50)" in why
    assert why.endswith("More ratings, from readers on either side, may change that.")


def test_a_note_not_helpful_enough_yet_says_so(essay: Post) -> None:
    low = _scored(note(essay), intercept=0.1, factor=0.05, scored_ratings=9)
    assert "Not enough readers, across the essay's usual divide, found it helpful yet: " in _why(
        low
    )
    assert "its helpfulness score is 0.10 (a note is shown from 0.40)" in _why(low)


def test_a_note_set_aside_says_why(essay: Post) -> None:
    rejected = _scored(note(essay), status=Status.NOT_HELPFUL, intercept=-0.3, factor=0.25,
                       scored_ratings=10)  # fmt: skip
    assert _why(rejected) == (
        "Rated by 10 readers. Readers, whichever side they usually take, did not find it "
        "helpful: its helpfulness score is −0.30, at or below −0.25, the score under which a "
        "note with its lean (0.25) is set aside. It is not shown."
    )


# --- the note's page -------------------------------------------------------------------------


def test_the_note_page_shows_the_note_its_passage_status_and_history(
    client: Client, essay: Post
) -> None:
    crowd = Crowd(PostFactory())
    target = crowd.bridge(passage_note(essay, "The ledger says 1862."))
    run = notes_score()
    response = client.get(f"/notes/{target.pk}/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    html = response.content.decode()
    passage = Note.objects.get(pk=target.pk).passage
    assert f'href="{essay.get_absolute_url()}#{passage}"' in html
    assert "The ledger says 1862." in html and "An opening paragraph." in html
    assert '<a href="https://example.org/ledger" rel="nofollow ugc">' in html
    assert "Status: Shown" in html and "Rated by 8 readers." in html
    assert "Needs more ratings → Shown" in html
    when = timezone.localtime(run.started_at)
    assert f'<time datetime="{when.isoformat()}">' in html


def test_hostile_note_text_is_escaped_on_the_note_page(client: Client, essay: Post) -> None:
    target = note(essay, f"Body {SCRIPT}", passage="p-x", exact=f"Quote {SCRIPT}",
                  sources=[{"kind": "url", "value": "javascript:alert(1)"}])  # fmt: skip
    html = client.get(f"/notes/{target.pk}/").content.decode()
    assert SCRIPT not in html and "javascript:" not in html
    assert "Body &lt;script&gt;" in html and "Quote &lt;script&gt;" in html


def test_a_removed_note_is_gone_with_a_sentence(client: Client, essay: Post) -> None:
    target = note(essay, "Breaks the rules.")
    note_remove(note=target, by=None)
    response = client.get(f"/notes/{target.pk}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "removed by the site" in html and "Breaks the rules" not in html


def test_notes_of_essays_readers_cannot_read_are_not_found(client: Client, author: Any) -> None:
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None, authors=[author])
    assert client.get(f"/notes/{note(draft).pk}/").status_code == 404
    assert client.get("/notes/999999/").status_code == 404


# --- the open data ---------------------------------------------------------------------------


def _tsv(client: Client, name: str) -> list[dict[str, str]]:
    response = client.get(f"/notes/data/{name}")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/tab-separated-values")
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


@pytest.fixture
def published(essay: Post) -> dict[str, Any]:
    """A scored crowd, a hostile note, a removed one, and a note on a draft."""
    crowd = Crowd(essay)
    bridged = crowd.bridge(note(essay, "Both sides agree."))
    hostile = note(essay, f"Tab\there, line\nbreak, {SCRIPT} and \"quotes\"",
                   author=crowd.left[0])  # fmt: skip
    rate(hostile, crowd.right[:2], Rating.Value.SOMEWHAT)
    removed = note(essay, "Removed words.")
    rate(removed, crowd.left[:1], Rating.Value.HELPFUL)
    note_remove(note=removed, by=None)
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    note(draft, "Draft words.")
    run = notes_score()
    return {"crowd": crowd, "bridged": bridged, "hostile": hostile, "run": run}


def test_the_notes_file_has_every_public_note_and_no_person(
    client: Client, published: dict[str, Any]
) -> None:
    rows = _tsv(client, "notes.tsv")
    assert len(rows) == 6  # four partisan notes, the shown one and the hostile one
    hostile = next(r for r in rows if r["noteId"] == str(published["hostile"].pk))
    assert hostile["text"] == f'Tab\there, line\nbreak, {SCRIPT} and "quotes"'
    assert hostile["participantId"] == participant(published["crowd"].left[0].pk)
    assert hostile["status"] == "needs" and hostile["sources"] == "https://example.org/ledger"
    assert hostile["essayUrl"].endswith("/on-harbours/")
    assert all("Removed words" not in r["text"] and "Draft words" not in r["text"] for r in rows)


def test_the_ratings_file_is_anonymised(client: Client, published: dict[str, Any]) -> None:
    rows = _tsv(client, "ratings.tsv")
    assert len(rows) == 32 + 8 + 2  # the removed note's rating is left out
    crowd = published["crowd"]
    assert {r["participantId"] for r in rows} == {participant(u.pk) for u in crowd.everyone}
    assert {r["value"] for r in rows} == {"helpful", "not_helpful", "somewhat"}
    assert all(r["createdAt"].endswith(":00Z") for r in rows)
    raw = client.get("/notes/data/ratings.tsv")
    text = b"".join(raw.streaming_content).decode()  # type: ignore[attr-defined]
    for user in crowd.everyone:
        assert user.email not in text and user.username not in text
        assert f"\t{user.pk}\t" not in text


def test_participant_ids_are_stable_and_keyed_by_the_secret_key(settings: Any) -> None:
    from broadsheet.notes import opendata

    first = participant(7)
    assert participant(7) == first != participant(8) and len(first) == 16
    assert participant(None) == ""
    settings.SECRET_KEY = "another site's key, as long as any other key here"
    opendata._participant.cache_clear()
    try:
        assert participant(7) != first  # no one without the key can recompute the ids
    finally:
        opendata._participant.cache_clear()


def test_the_history_and_runs_files(client: Client, published: dict[str, Any]) -> None:
    run = published["run"]
    (change,) = _tsv(client, "status-history.tsv")
    assert change["noteId"] == str(published["bridged"].pk) and change["runId"] == str(run.pk)
    assert (change["old"], change["new"], change["ratings"]) == ("needs", "shown", "8")
    assert float(change["helpfulnessScore"]) >= 0.40
    (row,) = _tsv(client, "scoring-runs.tsv")
    assert row["runId"] == str(run.pk) and row["ratings"] == str(run.ratings)
    assert json.loads(row["parameters"])["shown_intercept"] == 0.40


def test_the_data_page_lists_the_files(client: Client) -> None:
    response = client.get("/notes/data/")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    html = response.content.decode()
    for name in ("notes.tsv", "ratings.tsv", "status-history.tsv", "scoring-runs.tsv"):
        assert f'href="/notes/data/{name}"' in html
    assert client.get("/notes/data/users.tsv").status_code == 404


def test_readers_acts_are_given_to_the_hour(client: Client, essay: Post) -> None:
    written = note(essay, created_at=timezone.now() - timedelta(minutes=90))
    rate(written, [reader()], Rating.Value.HELPFUL)
    (row,) = _tsv(client, "notes.tsv")
    assert row["createdAt"].endswith(":00Z") and row["statusAt"] == ""


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/notes/99999999999999999999999999/", 404),
        ("/notes/0/", 404),
        ("/notes/data/users.tsv", 404),
        ("/notes/data/notes.tsv%00", 400),  # the site refuses NUL in any address
        ("/notes/data/..%2Fsettings", 301),  # not a file name: the slash is added, then a 404
    ],
)
def test_forged_addresses_are_refused(client: Client, address: str, status: int) -> None:
    assert client.get(address).status_code == status


def test_only_reading_is_allowed(client: Client, essay: Post) -> None:
    assert client.post(f"/notes/{note(essay).pk}/").status_code == 405
    assert client.post("/notes/data/notes.tsv").status_code == 405


def test_a_nul_in_stored_text_does_not_break_the_file(client: Client, essay: Post) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL stores no NUL in text")
    note(essay, "Before\x00after", exact="Quote\x00d", passage="p-x")
    (row,) = _tsv(client, "notes.tsv")
    assert row["text"] == "Beforeafter" and row["quote"] == "Quoted"
