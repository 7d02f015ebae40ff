"""Property tests of the suggestion form: arbitrary bytes, invalid UTF-8, repeated and missing
fields, huge values, bodies that are no form at all, any query string. The answer is a stored
suggestion or a refusal, never a 500; a refusal stores and emails nothing; no page shows a
script the reader sent."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.corrections.models import Correction
from broadsheet.notifications.models import OutgoingEmail
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from tests.hostile_input import NASTY, form_bodies, values

pytestmark = pytest.mark.django_db
_addresses = (f"203.0.{a}.{b}" for a, b in itertools.product(range(256), range(1, 255)))


@pytest.fixture
def target(essay: Post) -> str:
    return f"{essay.get_absolute_url()}correct/{post_passages(essay)[0].id}/"


@given(data=st.data())
def test_any_post_is_a_suggestion_or_a_refusal_and_a_refusal_stores_nothing(
    target: str, data: st.DataObject
) -> None:
    good = {
        "problem": "The year is wrong.", "fix": "1862", "sources": "https://example.org/ledger",
        "name": "Ada", "email": f"ada{Correction.objects.count()}@example.org", "credit": "on",
        "exact": "dredged in 1826", "prefix": "The harbour was ", "suffix": " by the town.",
        "start": "16", "end": "31",
    }  # fmt: skip
    body, content_type = data.draw(form_bodies(good))
    stored, emails = Correction.objects.count(), OutgoingEmail.objects.count()
    response = Client().generic(
        "POST", target, body, content_type=content_type, REMOTE_ADDR=next(_addresses)
    )
    assert response.status_code in (302, 400, 429), response.status_code
    if response.status_code == 302:
        assert Correction.objects.count() == stored + 1
    else:
        assert (Correction.objects.count(), OutgoingEmail.objects.count()) == (stored, emails)
        assert b"<script>alert" not in response.content  # sent back as text, if at all


@given(
    query=st.lists(
        st.tuples(st.sampled_from(["exact", "prefix", "suffix", "start", "end", "x"]), values),
        max_size=6,
    )
)
def test_any_selection_in_the_address_is_answered(target: str, query: list[Any]) -> None:
    from urllib.parse import quote_from_bytes

    encoded = "&".join(f"{name}={quote_from_bytes(value)}" for name, value in query)
    response = Client().get(f"{target}?{encoded}")
    assert response.status_code in (200, 400)  # 400: a NUL byte (core.middleware)
    assert b"<script>alert" not in response.content


@pytest.mark.parametrize("passage", [v for v in NASTY if v and "/" not in v])
def test_any_passage_id_is_found_or_not(client: Client, essay: Post, passage: str) -> None:
    from urllib.parse import quote

    response = client.get(f"{essay.get_absolute_url()}correct/{quote(passage, safe='')}/")
    assert response.status_code in (404, 400)
