"""Property tests of writing and rating: arbitrary bytes, invalid UTF-8, repeated and missing
fields, huge values, bodies that are no form at all, forged selections and note ids. The answer
is a stored note or rating, or a refusal: never a 500; a refusal stores nothing; no page shows
a script a reader sent."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.notes.models import MAX_BODY, Note, Rating
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from tests.hostile_input import NASTY, form_bodies, values
from tests.notes.conftest import SCRIPT, a_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_nora(nora: Any, roomy: None) -> Client:
    client = Client()
    client.force_login(nora)
    return client


@given(data=st.data())
def test_any_note_posted_is_stored_or_refused_and_a_refusal_stores_nothing(
    as_nora: Client, essay: Post, data: st.DataObject
) -> None:
    good = {"body": "The ledger says 1862.", "sources": "https://example.org/ledger",
            "exact": "dredged in 1826", "prefix": "The harbour was ", "suffix": " by the town.",
            "start": "16", "end": "31"}  # fmt: skip
    target = f"{essay.get_absolute_url()}notes/new/{post_passages(essay)[0].id}/"
    body, content_type = data.draw(form_bodies(good))
    stored = Note.objects.count()
    response = as_nora.generic("POST", target, body, content_type=content_type)
    assert response.status_code in (302, 400), response.status_code
    assert Note.objects.count() == stored + (response.status_code == 302)
    assert b"<script>alert" not in response.content


@given(data=st.data())
def test_any_rating_posted_is_stored_or_refused(
    essay: Post, nora: Any, rita: Any, roomy: None, data: st.DataObject
) -> None:
    note = Note.objects.first() or a_note(essay, rita)
    client = Client()
    client.force_login(nora)
    good = {"value": "helpful", "reasons": "clear"}
    body, content_type = data.draw(form_bodies(good))
    before = list(Rating.objects.values_list("value", "reasons"))
    response = client.generic("POST", f"/notes/{note.pk}/rate/", body, content_type=content_type)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert list(Rating.objects.values_list("value", "reasons")) == before
    assert Rating.objects.count() <= 1


@given(
    query=st.lists(
        st.tuples(st.sampled_from(["exact", "prefix", "suffix", "start", "end"]), values),
        max_size=6,
    )
)
def test_any_selection_in_the_address_is_answered(
    as_nora: Client, essay: Post, query: list[Any]
) -> None:
    encoded = "&".join(f"{name}={quote_from_bytes(value)}" for name, value in query)
    target = f"{essay.get_absolute_url()}notes/new/{post_passages(essay)[0].id}/"
    response = as_nora.get(f"{target}?{encoded}")
    assert response.status_code in (200, 400)  # 400: a NUL byte (core.middleware)
    assert b"<script>alert" not in response.content


@pytest.mark.parametrize("passage", [v for v in NASTY if v and "/" not in v])
def test_any_passage_id_is_found_or_not(as_nora: Client, essay: Post, passage: str) -> None:
    response = as_nora.get(f"{essay.get_absolute_url()}notes/new/{quote(passage, safe='')}/")
    assert response.status_code in (404, 400)


@pytest.mark.parametrize("note_id", ["0", "-1", "x", "1.5", "99999999999999999999", "%00", "１"])
def test_forged_note_ids_are_not_found(as_nora: Client, note_id: str) -> None:
    # 405: an address no note route takes is a page's, which answers GET only
    response = as_nora.post(f"/notes/{note_id}/rate/", {"value": "helpful"})
    assert response.status_code in (404, 405, 400) and not Rating.objects.exists()


def test_markup_and_nul_are_stored_as_text_and_shown_escaped(
    as_nora: Client, essay: Post, rita: Any
) -> None:
    url = f"{essay.get_absolute_url()}notes/new/"
    response = as_nora.post(
        url, {"body": "Nul\x00 dropped", "sources": "https://example.org/a?<b>"}
    )
    assert response.status_code == 302 and Note.objects.get().body == "Nul dropped"
    response = as_nora.post(
        url, {"body": f"Read {SCRIPT} this", "sources": f"javascript:alert(1)\n{SCRIPT}"}
    )
    assert response.status_code == 400 and b"<script>alert" not in response.content
    as_nora.post(url, {"body": f"Read {SCRIPT} this", "sources": "https://example.org/ledger"})
    note = Note.objects.get(body=f"Read {SCRIPT} this")
    client = Client()
    client.force_login(rita)
    html = client.get(f"{essay.get_absolute_url()}notes/").content
    assert f"note-{note.pk}-value_0".encode() in html and b"<script>alert" not in html


def test_a_huge_body_is_refused_with_the_length_next_to_the_field(
    as_nora: Client, essay: Post
) -> None:
    response = as_nora.post(f"{essay.get_absolute_url()}notes/new/",
                            {"body": "é" * (MAX_BODY * 50), "sources": "10.1234/x"})  # fmt: skip
    assert response.status_code == 400 and "at most 1000 characters" in response.content.decode()
    assert not Note.objects.exists()
