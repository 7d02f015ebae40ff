"""A proposer's personal data: in the personal-data export, and gone with an erasure (the
suggestion stays, anonymised; a published correction no longer credits them, on the cached
page too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from broadsheet.accounts.privacy import personal_data, personal_data_erase
from broadsheet.corrections.models import Correction
from broadsheet.publishing.models import Post
from tests.corrections.conftest import accepted, suggestion
from tests.factories import role_member

# Page versions move after the commit: this commits for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_export_lists_a_guests_and_an_accounts_suggestions(essay: Post) -> None:
    suggestion(essay, email="Ada@Example.net", problem="As a guest.")
    reader = role_member("Subscriber", "rea")
    suggestion(essay, user=reader, name="", email="", problem="Signed in.")
    guest = personal_data(email="ada@example.net", user=None)["corrections"]
    assert [(row["problem"], row["email"]) for row in guest] == [("As a guest.", "Ada@Example.net")]
    assert guest[0]["post"]["url"].endswith(essay.get_absolute_url())
    assert guest[0]["quote"] == "dredged in 1826" and guest[0]["credit"] is True
    account = personal_data(email=reader.email, user=reader)["corrections"]
    assert [row["problem"] for row in account] == ["Signed in."]


def test_erasure_keeps_the_suggestion_and_drops_who_sent_it(essay: Post, settings: Any) -> None:
    settings.PAGE_CACHE = True
    accepted(essay, name="Quillon Marsh", email="q@example.org", note="Fixed the year.")
    pending = suggestion(essay, name="Quillon Marsh", email="q@example.org")
    client = Client()
    url = essay.get_absolute_url()
    assert "Suggested by Quillon Marsh" in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    counts = personal_data_erase(email="q@example.org", user=None, remove_text=False)
    assert counts["corrections_anonymised"] == 2
    page = client.get(url).content.decode()
    assert "Quillon" not in page and "Fixed the year." in page
    for url in ("/corrections/", "/corrections/feed/"):
        assert "Quillon" not in client.get(url).content.decode()
    pending.refresh_from_db()
    assert (pending.name, pending.email, pending.credit) == ("Anonymous", "", False)
    assert pending.problem == "The year is wrong." and pending.status == "pending"
    assert not Correction.objects.filter(email="q@example.org").exists()


@override_settings(PAGE_CACHE=False)
def test_an_account_erased_takes_its_name_off_its_suggestions(essay: Post) -> None:
    reader = role_member("Subscriber", "rea")
    suggestion(essay, user=reader, name="Rea Dern", email=reader.email)
    personal_data_erase(email=reader.email, user=reader, remove_text=False)
    assert list(Correction.objects.values_list("name", "email", "user")) == [
        ("Anonymous", "", None)
    ]
