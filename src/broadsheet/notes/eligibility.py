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
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext, pgettext

from broadsheet.notes.models import NoteSettings

StrOrPromise = str | Promise

CLOSED = gettext_lazy("This site does not take context notes or ratings at the moment.")
SIGN_IN_TO_WRITE = gettext_lazy("Please sign in to write a context note.")
SIGN_IN_TO_RATE = gettext_lazy("Please sign in to rate context notes.")
VERIFY_TO_WRITE = gettext_lazy(
    "Please verify your email address first (follow the link in the email we sent you, or "
    "ask for a new one on your account's email page); then you can write context notes."
)
VERIFY_TO_RATE = gettext_lazy(
    "Please verify your email address first (follow the link in the email we sent you, or "
    "ask for a new one on your account's email page); then you can rate context notes."
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
    # Translators: the day an account may write notes, in the format of Django's date filter.
    return date_format(timezone.localtime(when), pgettext("a day", "j F Y"))


def _common(
    reader: Reader, settings: NoteSettings, sign_in: StrOrPromise, verify: StrOrPromise
) -> str | None:
    if not settings.enabled:
        return str(CLOSED)
    if not reader.signed_in:
        return str(sign_in)
    if settings.require_verified_email and not reader.verified:
        return str(verify)
    return None


def write_refusal(
    reader: Reader, settings: NoteSettings, now: datetime | None = None
) -> str | None:
    """Why `reader` may not write a note now, or None when they may."""
    refused = _common(reader, settings, SIGN_IN_TO_WRITE, VERIFY_TO_WRITE)
    if refused:
        return refused
    ready = _old_enough_on(reader, settings)
    if ready > (now or timezone.now()):
        return ngettext(
            "Accounts can write context notes once they are %(days)d day old: yours can from "
            "%(day)s. Until then you can rate other readers' notes.",
            "Accounts can write context notes once they are %(days)d days old: yours can from "
            "%(day)s. Until then you can rate other readers' notes.",
            settings.min_account_days,
        ) % {"days": settings.min_account_days, "day": _day(ready)}
    return None


def rate_refusal(reader: Reader, settings: NoteSettings) -> str | None:
    """Why `reader` may not rate notes, or None when they may."""
    return _common(reader, settings, SIGN_IN_TO_RATE, VERIFY_TO_RATE)


def rating_note(reader: Reader, settings: NoteSettings, now: datetime | None = None) -> str:
    """For a rater whose account is too young to be scored: that their ratings are kept and
    from when they count. "" for everyone else."""
    if not reader.signed_in or rate_refusal(reader, settings):
        return ""
    ready = _old_enough_on(reader, settings)
    if ready <= (now or timezone.now()):
        return ""
    return ngettext(
        "Your ratings are kept, but they count towards which notes are shown only once your "
        "account is %(days)d day old, from %(day)s: new accounts wait, so that a crowd of them "
        "cannot decide what readers see.",
        "Your ratings are kept, but they count towards which notes are shown only once your "
        "account is %(days)d days old, from %(day)s: new accounts wait, so that a crowd of them "
        "cannot decide what readers see.",
        settings.min_account_days,
    ) % {"days": settings.min_account_days, "day": _day(ready)}


def can_write(user: Any, settings: NoteSettings) -> str | None:
    """Why `user` may not write a context note, or None when they may."""
    return write_refusal(Reader.of(user), settings)


def can_rate(user: Any, settings: NoteSettings) -> str | None:
    """Why `user` may not rate context notes, or None when they may."""
    return rate_refusal(Reader.of(user), settings)
