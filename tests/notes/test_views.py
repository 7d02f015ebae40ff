"""The readers' pages: an essay's notes page, writing a note on the essay or a passage, and
rating. Without JavaScript everything works; every error is next to its field with the
reader's input kept; personal pages are never cached."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.notes.models import Note, NoteSettings, Rating
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from tests.factories import verified_reader
from tests.notes.conftest import GOOD_SOURCE, SCRIPT, a_note

pytestmark = pytest.mark.django_db


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notes(post: Post) -> str:
    return f"{post.get_absolute_url()}notes/"


def _selection(post: Post, exact: str = "dredged in 1826") -> dict[str, Any]:
    text = post_passages(post)[0].text
    start = text.index(exact)
    return {"exact": exact, "prefix": text[max(0, start - 32) : start],
            "suffix": text[start + len(exact) :][:32], "start": start, "end": start + len(exact)}  # fmt: skip


def test_a_guest_sees_shown_notes_and_is_asked_to_sign_in(
    client: Client, essay: Post, nora: Any
) -> None:
    shown, waiting = a_note(essay, nora, body="Shown to all."), a_note(essay, nora, body="Hidden.")
    Note.objects.filter(pk=shown.pk).update(status="shown")
    page = client.get(_notes(essay))
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Shown to all." in html and "Hidden." not in html and waiting.body not in html
    assert "Please sign in to rate context notes." in html
    assert "Please sign in to write a context note." in html and "/accounts/login/?next=" in html


def test_an_eligible_reader_gets_the_queue_with_a_form_per_note(
    essay: Post, nora: Any, rita: Any
) -> None:
    note = a_note(essay, nora, body=f"Context {SCRIPT}")
    html = _signed_in(rita).get(_notes(essay)).content.decode()
    assert f'action="/notes/{note.pk}/rate/"' in html and f'id="note-{note.pk}-value_0"' in html
    assert SCRIPT not in html and "Context &lt;script&gt;" in html
    assert "Add a context note to the whole essay" in html and f'href="{_notes(essay)}new/"' in html


def test_a_young_rater_is_told_their_ratings_count_later(essay: Post, nora: Any) -> None:
    a_note(essay, nora)
    html = _signed_in(verified_reader("new", days=1)).get(_notes(essay)).content.decode()
    assert "only once your account is 7 days old" in html and "Rate this note" in html
    assert "Accounts can write context notes once they are 7 days old" in html


def test_nothing_is_offered_while_notes_are_off(essay: Post, nora: Any, rita: Any) -> None:
    a_note(essay, nora)
    settings = NoteSettings.current()
    settings.enabled = False
    settings.save()
    html = _signed_in(rita).get(_notes(essay)).content.decode()
    assert "Rate this note" not in html and html.count("does not take context notes") == 1
    assert "Add a context note" not in html
    writing = _signed_in(nora).get(f"{_notes(essay)}new/").content.decode()
    assert 'name="body"' not in writing and "does not take context notes" in writing


def test_a_note_on_the_whole_essay(essay: Post, nora: Any) -> None:
    client = _signed_in(nora)
    assert 'name="body"' in client.get(f"{_notes(essay)}new/").content.decode()
    response = client.post(
        f"{_notes(essay)}new/", {"body": "The ledger says 1862.", "sources": GOOD_SOURCE}
    )
    assert response.status_code == 302 and response["Location"] == f"{_notes(essay)}#mine"
    note = Note.objects.get()
    assert (note.passage, note.author, note.body) == ("", nora, "The ledger says 1862.")
    html = client.get(response["Location"]).content.decode()
    assert "your note is stored" in html and "Needs more ratings" in html


def test_a_note_on_a_selection_of_a_passage(essay: Post, nora: Any) -> None:
    url = f"{_notes(essay)}new/{post_passages(essay)[0].id}/"
    client = _signed_in(nora)
    assert "<mark>dredged in 1826</mark>" in client.get(url, _selection(essay)).content.decode()
    forged = {**_selection(essay), "start": "0", "end": "2", "prefix": "forged"}
    assert client.post(url, {"body": "1862.", "sources": GOOD_SOURCE, **forged}).status_code == 302
    note = Note.objects.get()
    assert (note.exact, note.start, note.end, note.prefix) == (
        "dredged in 1826",
        16,
        31,
        "The harbour was ",
    )


def test_the_quote_s_ellipses_stand_only_where_the_passage_goes_on(essay: Post, nora: Any) -> None:
    """ "dredged in 1826" with all the passage around it: nothing is left out either side."""
    url = f"{_notes(essay)}new/{post_passages(essay)[0].id}/"
    client = _signed_in(nora)
    html = client.get(url, _selection(essay)).content.decode()
    assert ">The harbour was </span><mark>dredged in 1826</mark>" in html
    assert "<mark>dredged in 1826</mark>" in html and " by the town.</span>" in html
    from tests.factories import PostFactory

    long = PostFactory(slug="long", body=f"{'Long before this, ' * 3}the harbour was dredged "
                       f"in 1826 by the town, {'and again ' * 5}then.\n")  # fmt: skip
    url = f"{_notes(long)}new/{post_passages(long)[0].id}/"
    html = client.get(url, _selection(long)).content.decode()
    assert "…" in html.split("<mark>")[0].rsplit("note-quote__context", 1)[1]
    assert "…</span>" in html.split("</mark>")[1]


def test_without_a_selection_the_whole_passage_is_quoted(essay: Post, nora: Any) -> None:
    passage = post_passages(essay)[1]
    response = _signed_in(nora).post(
        f"{_notes(essay)}new/{passage.id}/", {"body": "Yes.", "sources": "10.1234/abc"}
    )
    assert response.status_code == 302
    assert (Note.objects.get().exact, Note.objects.get().sources) == (
        passage.text,
        [{"kind": "doi", "value": "10.1234/abc"}],
    )


def test_a_quote_not_in_the_text_is_replaced_by_the_passage_and_nothing_is_stored(
    essay: Post, nora: Any
) -> None:
    url = f"{_notes(essay)}new/{post_passages(essay)[0].id}/"
    data = {"body": "My text kept.", "sources": GOOD_SOURCE, "exact": f"not there {SCRIPT}"}
    response = _signed_in(nora).post(url, data)
    html = response.content.decode()
    assert response.status_code == 400 and "The whole passage is quoted instead" in html
    assert "My text kept." in html and SCRIPT not in html and not Note.objects.exists()


def test_missing_sources_are_asked_for_next_to_the_field_with_the_text_kept(
    essay: Post, nora: Any
) -> None:
    response = _signed_in(nora).post(
        f"{_notes(essay)}new/", {"body": "Kept <b>text</b>", "sources": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Please give at least one source" in html
    assert "Kept &lt;b&gt;text&lt;/b&gt;" in html and not Note.objects.exists()


def test_unknown_passages_and_essays_are_404(client: Client, essay: Post, nora: Any) -> None:
    assert _signed_in(nora).get(f"{_notes(essay)}new/p-nothere/").status_code == 404
    assert client.get("/2020/01/01/no-such-essay/notes/").status_code == 404


def test_ineligible_writers_get_the_reason_and_their_posts_store_nothing(
    client: Client, essay: Post
) -> None:
    young = _signed_in(verified_reader("young", days=1))
    page = young.get(f"{_notes(essay)}new/")
    assert page.status_code == 200 and "once they are 7 days old" in page.content.decode()
    assert (
        young.post(f"{_notes(essay)}new/", {"body": "x", "sources": GOOD_SOURCE}).status_code == 403
    )
    unverified = _signed_in(verified_reader("unv", verified=False))
    assert (
        unverified.post(f"{_notes(essay)}new/", {"body": "x", "sources": GOOD_SOURCE}).status_code
        == 403
    )
    assert (
        client.post(f"{_notes(essay)}new/", {"body": "x", "sources": GOOD_SOURCE}).status_code
        == 403
    )
    assert not Note.objects.exists()


def test_rating_redirects_back_and_the_rating_can_be_changed(
    essay: Post, nora: Any, rita: Any
) -> None:
    note, client = a_note(essay, nora), _signed_in(rita)
    response = client.post(f"/notes/{note.pk}/rate/", {"value": "helpful", "reasons": ["clear"]})
    assert (
        response.status_code == 302 and response["Location"] == f"{_notes(essay)}#rated-{note.pk}"
    )
    html = client.get(_notes(essay)).content.decode()
    assert (
        "Your ratings" in html
        and "Change my rating" in html
        and "No note on this essay is waiting" in html
    )
    assert f'value="helpful" id="note-{note.pk}-value_0" checked' in html.replace("required ", "")
    client.post(f"/notes/{note.pk}/rate/", {"value": "not_helpful", "reasons": ["opinion"]})
    assert list(Rating.objects.values_list("value", "reasons")) == [("not_helpful", ["opinion"])]


def test_a_refused_rating_is_shown_next_to_its_note_with_the_choice_kept(
    essay: Post, nora: Any, rita: Any
) -> None:
    note = a_note(essay, nora)
    response = _signed_in(rita).post(
        f"/notes/{note.pk}/rate/", {"value": "helpful", "reasons": ["opinion"]}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "is a reason for a note that is not helpful" in html
    assert 'value="opinion"' in html and "checked" in html and not Rating.objects.exists()


def test_rating_one_s_own_note_is_refused_on_the_page(essay: Post, nora: Any) -> None:
    note = a_note(essay, nora)
    response = _signed_in(nora).post(f"/notes/{note.pk}/rate/", {"value": "helpful"})
    assert response.status_code == 403 and "You wrote this note" in response.content.decode()
    assert not Rating.objects.exists()


def test_the_rating_limit_is_a_429_with_a_sentence(essay: Post, nora: Any, rita: Any) -> None:
    settings = NoteSettings.current()
    settings.ratings_per_hour = 1
    settings.save()
    first, second = a_note(essay, nora), a_note(essay, nora)
    client = _signed_in(rita)
    assert client.post(f"/notes/{first.pk}/rate/", {"value": "helpful"}).status_code == 302
    response = client.post(f"/notes/{second.pk}/rate/", {"value": "helpful"})
    assert response.status_code == 429 and "the most an hour" in response.content.decode()


def test_forged_note_ids_removed_notes_and_get_are_refused(
    essay: Post, nora: Any, rita: Any
) -> None:
    client, note = _signed_in(rita), a_note(essay, nora)
    assert client.post("/notes/999999/rate/", {"value": "helpful"}).status_code == 404
    assert client.post("/notes/99999999999999999999/rate/", {"value": "helpful"}).status_code == 404
    assert client.get(f"/notes/{note.pk}/rate/").status_code == 405
    Note.objects.filter(pk=note.pk).update(removed=True)
    assert client.post(f"/notes/{note.pk}/rate/", {"value": "helpful"}).status_code == 404
    assert client.post(_notes(essay)).status_code == 405
    assert not Rating.objects.exists()


def test_posts_without_the_csrf_token_are_refused(essay: Post, nora: Any, rita: Any) -> None:
    note = a_note(essay, nora)
    client = Client(enforce_csrf_checks=True)
    client.force_login(rita)
    assert client.post(f"/notes/{note.pk}/rate/", {"value": "helpful"}).status_code == 403
    assert (
        client.post(f"{_notes(essay)}new/", {"body": "x", "sources": GOOD_SOURCE}).status_code
        == 403
    )
    assert not Rating.objects.exists() and Note.objects.count() == 1


def test_without_javascript_a_passage_s_respond_page_leads_to_a_note_on_it(
    client: Client, essay: Post
) -> None:
    passage = post_passages(essay)[0].id
    html = client.get(f"{essay.get_absolute_url()}respond/{passage}/").content.decode()
    assert f'href="{_notes(essay)}new/{passage}/">Add a context note</a>' in html


@pytest.mark.usefixtures("roomy")
def test_the_notes_page_costs_the_same_queries_for_many_notes(
    essay: Post, nora: Any, rita: Any, django_assert_max_num_queries: Any
) -> None:
    from broadsheet.notes.services import note_rate

    client = _signed_in(rita)
    note_rate(note=a_note(essay, nora), rater=rita, value="helpful", reasons=[])
    a_note(essay, nora), a_note(essay, rita)
    client.get(_notes(essay))  # settings rows cached
    with CaptureQueriesContext(connection) as few:
        client.get(_notes(essay))
    for _ in range(8):
        note_rate(note=a_note(essay, nora), rater=rita, value="somewhat", reasons=[])
        a_note(essay, nora), a_note(essay, rita)
    with django_assert_max_num_queries(len(few)):
        assert client.get(_notes(essay)).content.decode().count("Change my rating") == 9


# The essay page's own "Needs your help": a fragment respond.js fetches for a signed-in reader.


def _help(post: Post) -> str:
    return f"{_notes(post)}help/"


def test_the_essay_s_help_offers_an_eligible_reader_three_notes_to_rate_never_cached(
    essay: Post, nora: Any, rita: Any
) -> None:
    notes = [a_note(essay, nora, body=f"Note {n} {SCRIPT}") for n in range(5)]
    a_note(essay, rita, body="Rita's own.")
    response = _signed_in(rita).get(_help(essay))
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert html.count('class="note-to-rate"') == 3 and "Rita's own." not in html
    assert [f'action="/notes/{n.pk}/rate/"' in html for n in notes] == [True] * 3 + [False] * 2
    assert html.count('name="back" value="essay"') == 3 and "csrfmiddlewaretoken" in html
    assert html.count("<details><summary>Say why (optional)</summary>") == 3  # folded away
    assert SCRIPT not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("who", ["anonymous", "unverified", "young-unverified"])
def test_the_essay_s_help_is_empty_for_a_reader_who_may_not_rate(
    client: Client, essay: Post, nora: Any, who: str
) -> None:
    a_note(essay, nora)
    if who != "anonymous":
        client = _signed_in(verified_reader(who, days=1 if "young" in who else 30, verified=False))
    response = client.get(_help(essay))
    assert response.status_code == 200 and response.content == b""
    assert "no-store" in response["Cache-Control"]


def test_the_essay_s_help_is_empty_when_nothing_waits_or_notes_are_off(
    essay: Post, nora: Any, rita: Any
) -> None:
    client = _signed_in(rita)
    assert client.get(_help(essay)).content == b""  # no note to rate
    a_note(essay, nora)
    settings = NoteSettings.current()
    settings.enabled = False
    settings.save()
    assert client.get(_help(essay)).content == b""
    assert client.get("/2001/01/01/no-such-essay/notes/help/").status_code == 404


@pytest.mark.usefixtures("roomy")
def test_the_essay_s_help_costs_the_same_queries_for_many_notes(
    essay: Post, nora: Any, rita: Any, django_assert_max_num_queries: Any
) -> None:
    client = _signed_in(rita)
    a_note(essay, nora)
    client.get(_help(essay))  # settings rows cached
    with CaptureQueriesContext(connection) as few:
        client.get(_help(essay))
    for _ in range(8):
        a_note(essay, nora)
    with django_assert_max_num_queries(len(few)):
        assert client.get(_help(essay)).content.decode().count('class="note-to-rate"') == 3
    assert len(few) == 5  # session, user, essay, verified address, queue


def test_a_rating_sent_by_the_essay_s_script_is_thanked_in_place(
    essay: Post, nora: Any, rita: Any
) -> None:
    note, client = a_note(essay, nora), _signed_in(rita)
    sent = {"value": "helpful", "reasons": ["clear"], "back": "essay"}
    response = client.post(f"/notes/{note.pk}/rate/", sent, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json()["message"].startswith("Thanks — rated")
    assert list(Rating.objects.values_list("value", "reasons")) == [("helpful", ["clear"])]
    assert "your rating is stored" not in client.get(essay.get_absolute_url()).content.decode()


def test_a_rating_the_script_sends_that_is_refused_comes_back_with_why_and_the_choice_kept(
    essay: Post, nora: Any, rita: Any
) -> None:
    note = a_note(essay, nora)
    sent = {"value": "helpful", "reasons": ["opinion"], "back": "essay"}
    response = _signed_in(rita).post(
        f"/notes/{note.pk}/rate/", sent, headers={"Accept": "application/json"}
    )
    html = response.json()["html"]
    assert response.status_code == 400 and "is a reason for a note that is not helpful" in html
    assert 'value="opinion"' in html and "checked" in html and 'value="essay"' in html
    assert "<details open>" in html  # the reasons sent are in sight
    assert not Rating.objects.exists()


def test_without_the_script_a_rating_from_the_essay_comes_back_to_the_essay(
    essay: Post, nora: Any, rita: Any
) -> None:
    note, client = a_note(essay, nora), _signed_in(rita)
    response = client.post(f"/notes/{note.pk}/rate/", {"value": "somewhat", "back": "essay"})
    assert response.status_code == 302 and response["Location"] == essay.get_absolute_url()
    assert "your rating is stored" in client.get(response["Location"]).content.decode()
    forged = client.post(f"/notes/{note.pk}/rate/", {"value": "helpful", "back": "//evil.test/"})
    assert forged["Location"] == f"{_notes(essay)}#rated-{note.pk}"


def test_the_cached_essay_page_carries_no_help_only_its_notes_line(
    client: Client, essay: Post, nora: Any, rita: Any
) -> None:
    a_note(essay, nora, body="Waiting for ratings.")
    for reader in (client, _signed_in(rita)):
        html = reader.get(essay.get_absolute_url()).content.decode()
        assert "Waiting for ratings." not in html and "notes-help" not in html
        assert f'<a href="{_notes(essay)}">Read and rate notes</a>' in html
        assert "broadsheet/respond" in html  # the script that fetches the help
