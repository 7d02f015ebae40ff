"""Personal data, self-service: what WordPress's export and erase tools do, done by the person.

An account holder acts on their account and every comment written by it or with one of its
addresses; a guest acts on the comments written with an address proven by a signed link.

The export (`personal_data`) has this shape, `"format": "broadsheet-personal-data/1"`::

    {
      "format": "broadsheet-personal-data/1",
      "generated_at": "2025-01-31T12:00:00+00:00",
      "site": "https://essays.example.org",
      "email": "reader@example.org",          # the address the request was made for
      "account": null | {"username", "email", "first_name", "last_name",
                         "date_joined", "last_login"},
      "profile": null | {"display_name", "bio", "website", "avatar_url", "header_url",
                         "language"},
      "email_addresses": [{"email", "verified", "primary"}],
      "social_accounts": [{"provider", "uid", "date_joined", "last_login", "extra_data"}],
      "comments": [{"id", "post": {"title", "url"}, "status", "date", "author_name",
                    "author_email", "author_url", "ip_address", "user_agent", "body",
                    "permalink", "in_reply_to"}],
      "corrections": [{"id", "post": {"title", "url"}, "status", "date", "name", "email",
                       "quote", "problem", "fix", "sources", "credit"}]
    }

Apps above accounts that keep personal data register how to export and erase it
(`personal_data_register`), each under the key it has in the export: moderation the comments
(first, so they come first) and the account's likes and reports, corrections a proposer's name
and address, and so on. An app that credits accounts with what must not vanish with them
(publishing: essays) registers why such an account may not erase itself
(`erasure_refusal_register`).

Dates are ISO 8601, URLs absolute. Password hashes and OAuth tokens are never included.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from broadsheet.accounts.language import email_language, in_language
from broadsheet.accounts.models import Profile, User
from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.core.mail import mail_send
from broadsheet.core.models import SiteSettings

FORMAT = "broadsheet-personal-data/1"
PRIVACY_SALT = "broadsheet.privacy"
# How long an emailed link works, in seconds (read at call time, so tests can shorten it).
PRIVACY_LINK_MAX_AGE = 24 * 60 * 60
# Requests for a link per hour, counted separately per IP address and per email address.
PRIVACY_REQUESTS_PER_HOUR = 5

# Keys in a provider's extra_data that may hold credentials; dropped at any depth.
_SECRET_MARKERS = ("token", "secret", "password", "passwd", "credential", "signature")


@dataclass(frozen=True)
class PersonalDataKeeper:
    """How an app above exports and erases what it keeps about a person, found by the
    person's addresses (the one asked for and the account's verified ones) or account.

    `remove`, for what the person may have removed outright rather than anonymised (their
    comments' text, when the site allows it), says how many entries went and how many left a
    tombstone; `held`, whether a guest's addresses hold anything here at all (the emailed link
    to a guest's data is sent only then)."""

    export: Callable[[list[str], User | None], list[dict[str, Any]]]
    erase: Callable[[list[str], User | None], int]  # how many rows were anonymised
    remove: Callable[[list[str], User | None], tuple[int, int]] | None = None
    held: Callable[[list[str]], bool] | None = None


_keepers: dict[str, PersonalDataKeeper] = {}
_refusals: list[Callable[[User], str | None]] = []


def personal_data_register(name: str, keeper: PersonalDataKeeper) -> None:
    """Called by an app above accounts when Django starts (its AppConfig.ready)."""
    _keepers[name] = keeper


def erasure_refusal_register(refusal: Callable[[User], str | None]) -> None:
    """Called by an app above accounts when Django starts: why an account may not erase
    itself (what it is credited with would break), or None."""
    if refusal not in _refusals:
        _refusals.append(refusal)


def _addresses(email: str, verified: list[str]) -> list[str]:
    return sorted({a.strip() for a in [email, *verified] if a and a.strip()})


class ErasureRefused(Exception):
    """The account cannot erase itself here; the message says why and what to do."""


# --- selectors --------------------------------------------------------------------------


def _verified_addresses(user: User | None) -> list[str]:
    if user is None:
        return []
    return list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_url(url: str) -> str:
    """An address as the export gives it (absolute), for this module and the keepers."""
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_secrets(item)
            for key, item in value.items()
            if not any(marker in str(key).lower() for marker in _SECRET_MARKERS)
        }
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def _account_data(user: User | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if user is None:
        return None, None
    # One query for the account and its profile; the instance passed in may be stale.
    fresh = User.objects.select_related("profile").get(pk=user.pk)
    account = {
        "username": fresh.username,
        "email": fresh.email,
        "first_name": fresh.first_name,
        "last_name": fresh.last_name,
        "date_joined": _iso(fresh.date_joined),
        "last_login": _iso(fresh.last_login),
    }
    profile = getattr(fresh, "profile", None)
    if profile is None:
        return account, None
    return account, {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "website": profile.website,
        "avatar_url": export_url(profile.avatar_url),
        "header_url": export_url(str(profile.header.url)) if profile.header else "",
        "language": profile.language,  # "": the site's
    }


def personal_data(*, email: str, user: User | None) -> dict[str, Any]:
    """Everything stored about a person, as JSON-serialisable data (shape in the module doc)."""
    addresses: list[dict[str, Any]] = []
    socials: list[dict[str, Any]] = []
    if user is not None:
        addresses = [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ]
        socials = [
            {
                "provider": s.provider,
                "uid": s.uid,
                "date_joined": _iso(s.date_joined),
                "last_login": _iso(s.last_login),
                "extra_data": _without_secrets(s.extra_data),
            }
            for s in SocialAccount.objects.filter(user=user).order_by("provider", "pk")
        ]
    verified = [a["email"] for a in addresses if a["verified"]]
    account, profile = _account_data(user)
    return {
        "format": FORMAT,
        "generated_at": _iso(timezone.now()),
        "site": settings.SITE_URL,
        "email": email,
        "account": account,
        "profile": profile,
        "email_addresses": addresses,
        "social_accounts": socials,
        **{
            name: keeper.export(_addresses(email, verified), user)
            for name, keeper in _keepers.items()
        },
    }


def held_for(*, email: str) -> bool:
    """Whether anything is kept about a guest with this address (their comments)."""
    addresses = _addresses(email, [])
    return any(keeper.held(addresses) for keeper in _keepers.values() if keeper.held)


def comment_removal_allowed() -> bool:
    return bool(getattr(settings, "PRIVACY_ALLOW_COMMENT_REMOVAL", True))


def erasure_refusal(*, user: User) -> str | None:
    """Why an account may not erase itself here, or None. Essays and the site must not break."""
    if user.is_superuser:
        return "An administrator's account is removed by another administrator, in the admin."
    return next(filter(None, (refusal(user) for refusal in _refusals)), None)


# --- services ---------------------------------------------------------------------------


@action
def personal_data_erase(*, email: str, user: User | None, remove_text: bool) -> dict[str, int]:
    """Anonymise (or remove) what the apps keep about the person (their comments first), then
    delete the account and its addresses.

    When the site sets PRIVACY_ALLOW_COMMENT_REMOVAL = False, `remove_text` is ignored and the
    comments are kept, anonymised. Raises ErasureRefused for an account that may not go.
    """
    if user is not None and (reason := erasure_refusal(user=user)):
        raise ErasureRefused(reason)
    counts = {"email_addresses": 0, "social_accounts": 0, "accounts": 0}
    addresses = _addresses(email, _verified_addresses(user))
    removing = remove_text and comment_removal_allowed()
    for name, keeper in _keepers.items():
        if keeper.remove is None:
            counts[f"{name}_anonymised"] = keeper.erase(addresses, user)
            continue
        removed = tombstoned = anonymised = 0
        if removing:
            removed, tombstoned = keeper.remove(addresses, user)
        else:
            anonymised = keeper.erase(addresses, user)
        counts |= {f"{name}_anonymised": anonymised, f"{name}_removed": removed,
                   f"{name}_tombstoned": tombstoned}  # fmt: skip
    if user is not None:
        counts["email_addresses"] = EmailAddress.objects.filter(user=user).delete()[0]
        # SocialToken rows go with their SocialAccount (cascade); only accounts are counted.
        counts["social_accounts"] = SocialAccount.objects.filter(user=user).count()
        SocialAccount.objects.filter(user=user).delete()
        _account_delete(user)
        counts["accounts"] = 1
    return counts


def _account_delete(user: User) -> None:
    """The account, its profile (cascade) and its uploaded photo and header image go; every
    page may have shown its name (the people page, bylines of others' essays quoting it)."""
    profile = Profile.objects.filter(user=user).first()
    pictures = [p.name for p in (profile.avatar, profile.header) if p] if profile else []
    User.objects.filter(pk=user.pk).delete()
    effects.pages(site=True)
    storage = Profile._meta.get_field("avatar").storage
    for picture in pictures:  # a file is not part of the transaction: removed after the rows
        transaction.on_commit(partial(storage.delete, picture))


# --- guests: a signed link by email -----------------------------------------------------


def privacy_token(*, email: str) -> str:
    return signing.dumps({"email": email}, salt=PRIVACY_SALT)


def privacy_token_email(*, token: str) -> str | None:
    """The address a link was made for, or None when it is forged, damaged or expired."""
    try:
        data = signing.loads(token, salt=PRIVACY_SALT, max_age=PRIVACY_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) and email else None


def _over_limit(key: str) -> bool:
    # add() starts the hour's window only once; incr() is atomic on the shared cache backends.
    cache.add(key, 0, timeout=60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=60 * 60)
        count = 1
    return count > PRIVACY_REQUESTS_PER_HOUR


def privacy_link_request(*, email: str, ip: str | None) -> bool:
    """Have the worker email a link to the person's data if comments were left with `email`.
    False when this address or `ip` has asked too often.

    The request does the same whatever we hold (two counters, one queued task): whether the
    address is known is looked up by the worker, so neither the answer nor its timing tells.
    """
    from broadsheet.accounts.tasks import privacy_link_send

    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    # Both counters advance on every request, so a flood from one address uses up its budget.
    limited = [
        _over_limit(f"privacy:ip:{ip or 'unknown'}"),
        _over_limit(f"privacy:email:{email_key}"),
    ]
    if any(limited):
        return False
    transaction.on_commit(partial(privacy_link_send.enqueue, email))
    return True


def privacy_link_email(*, email: str) -> bool:
    """The worker's half: queue the link if comments were left with `email`. True when queued."""
    if not held_for(email=email):
        return False
    link = settings.SITE_URL + reverse("privacy_guest", args=[privacy_token(email=email)])
    context = {
        "link": link,
        "site_name": SiteSettings.current().title,
        "hours": PRIVACY_LINK_MAX_AGE // 3600,
    }
    with in_language(email_language(email=email)):
        subject = _("Your personal data on %(site)s") % {"site": context["site_name"]}
        text = render_to_string("accounts/privacy/email.txt", context)
        html = render_to_string("accounts/privacy/email.html", context)
    mail_send(
        key=f"privacy-link-{uuid.uuid4().hex}",
        to=email,
        subject=subject,
        text=text,
        html=html,
        reason="personal-data",
    )
    return True
