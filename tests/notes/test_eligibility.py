"""Who may write and rate context notes: each refusal a sentence saying why and what to do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from broadsheet.notes.eligibility import (
    CLOSED,
    Reader,
    can_rate,
    can_write,
    rate_refusal,
    rating_note,
    write_refusal,
)
from broadsheet.notes.models import NoteSettings
from tests.factories import verified_reader

NOW = timezone.now()


def _reader(*, days: float = 30, verified: bool = True) -> Reader:
    return Reader(signed_in=True, verified=verified, joined=NOW - timedelta(days=days))


def _settings(**fields: object) -> NoteSettings:
    return NoteSettings(**fields)


def test_an_old_enough_verified_reader_may_write_and_rate() -> None:
    assert write_refusal(_reader(), _settings(), NOW) is None
    assert rate_refusal(_reader(), _settings()) is None
    assert rating_note(_reader(), _settings(), NOW) == ""


def test_a_guest_is_asked_to_sign_in() -> None:
    guest = Reader(signed_in=False, verified=False, joined=None)
    assert write_refusal(guest, _settings(), NOW) == "Please sign in to write a context note."
    assert rate_refusal(guest, _settings()) == "Please sign in to rate context notes."
    assert rating_note(guest, _settings(), NOW) == ""


def test_an_unverified_address_is_refused_only_when_the_site_asks_for_one() -> None:
    unverified = _reader(verified=False)
    refusal = write_refusal(unverified, _settings(), NOW)
    assert refusal is not None and refusal.startswith("Please verify your email address")
    assert "rate context notes" in str(rate_refusal(unverified, _settings()))
    assert write_refusal(unverified, _settings(require_verified_email=False), NOW) is None


def test_a_young_account_may_not_write_and_is_told_from_when_it_may() -> None:
    young = _reader(days=2)
    refusal = str(write_refusal(young, _settings(min_account_days=7), NOW))
    day = f"{(NOW + timedelta(days=5)).day} "
    assert "once they are 7 days old" in refusal and day in refusal
    assert write_refusal(young, _settings(min_account_days=1), NOW) is None


def test_a_young_account_may_rate_and_is_told_its_ratings_count_later() -> None:
    young = _reader(days=2)
    assert rate_refusal(young, _settings(min_account_days=7)) is None
    note = rating_note(young, _settings(min_account_days=7), NOW)
    assert "count towards which notes are shown only once your account is 7 days old" in note
    assert rating_note(young, _settings(min_account_days=2), NOW) == ""


def test_nothing_is_offered_while_notes_are_switched_off() -> None:
    closed = _settings(enabled=False)
    assert write_refusal(_reader(), closed, NOW) == CLOSED
    assert rate_refusal(_reader(), closed) == CLOSED
    assert rating_note(_reader(days=0), closed, NOW) == ""


@pytest.mark.django_db
def test_the_checks_read_the_account_and_its_allauth_addresses() -> None:
    settings = NoteSettings.current()
    assert can_write(AnonymousUser(), settings) == "Please sign in to write a context note."
    assert can_write(verified_reader("ok"), settings) is None
    assert can_rate(verified_reader("unchecked", verified=False), settings) is not None
    assert can_write(verified_reader("new", days=0), settings) is not None
    assert can_rate(verified_reader("newer", days=0), settings) is None
