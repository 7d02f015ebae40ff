"""Who may write and rate context notes, as the sentence a reader reads when they may not.

A pure policy on a frozen `Reader` (what we know of the person) and the site's NoteSettings,
as moderation.rules decides on a candidate: every refusal says why and what to do. Writing
needs an account old enough; rating does not, because a young account's ratings are stored
and only left out of the scoring until it is old enough (issue 17, section 3): `rating_note`
tells such a rater so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.formats import date_format

from broadsheet.notes.models import NoteSettings

CLOSED = "This site does not take context notes or ratings at the moment."
SIGN_IN_TO_WRITE = "Please sign in to write a context note."
SIGN_IN_TO_RATE = "Please sign in to rate context notes."
VERIFY = (
    "Please verify your email address first (follow the link in the email we sent you, or "
    "ask for a new one on your account's email page); then you can {what}."
)


@dataclass(frozen=True)
class Reader:
    signed_in: bool
    verified: bool  # has a verified email address (allauth)
    joined: datetime | None

    @classmethod
    def of(cls, user: Any) -> Reader:
        """What the policy needs to know of `user` (one query, for a signed-in person)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return cls(signed_in=False, verified=False, joined=None)
        verified = EmailAddress.objects.filter(user=user, verified=True).exists()
        return cls(signed_in=True, verified=verified, joined=user.date_joined)


def _old_enough_on(reader: Reader, settings: NoteSettings) -> datetime:
    assert reader.joined is not None
    return reader.joined + timedelta(days=settings.min_account_days)


def _day(when: datetime) -> str:
    return date_format(timezone.localtime(when), "j F Y")


def _common(reader: Reader, settings: NoteSettings, sign_in: str, what: str) -> str | None:
    if not settings.enabled:
        return CLOSED
    if not reader.signed_in:
        return sign_in
    if settings.require_verified_email and not reader.verified:
        return VERIFY.format(what=what)
    return None


def write_refusal(
    reader: Reader, settings: NoteSettings, now: datetime | None = None
) -> str | None:
    """Why `reader` may not write a note now, or None when they may."""
    refused = _common(reader, settings, SIGN_IN_TO_WRITE, "write context notes")
    if refused:
        return refused
    ready = _old_enough_on(reader, settings)
    if ready > (now or timezone.now()):
        return (
            f"Accounts can write context notes once they are {settings.min_account_days} "
            f"days old: yours can from {_day(ready)}. Until then you can rate other "
            "readers' notes."
        )
    return None


def rate_refusal(reader: Reader, settings: NoteSettings) -> str | None:
    """Why `reader` may not rate notes, or None when they may."""
    return _common(reader, settings, SIGN_IN_TO_RATE, "rate context notes")


def rating_note(reader: Reader, settings: NoteSettings, now: datetime | None = None) -> str:
    """For a rater whose account is too young to be scored: that their ratings are kept and
    from when they count. "" for everyone else."""
    if not reader.signed_in or rate_refusal(reader, settings):
        return ""
    ready = _old_enough_on(reader, settings)
    if ready <= (now or timezone.now()):
        return ""
    return (
        "Your ratings are kept, but they count towards which notes are shown only once your "
        f"account is {settings.min_account_days} days old, from {_day(ready)}: new accounts "
        "wait, so that a crowd of them cannot decide what readers see."
    )


def can_write(user: Any, settings: NoteSettings) -> str | None:
    """Why `user` may not write a context note, or None when they may."""
    return write_refusal(Reader.of(user), settings)


def can_rate(user: Any, settings: NoteSettings) -> str | None:
    """Why `user` may not rate context notes, or None when they may."""
    return rate_refusal(Reader.of(user), settings)
