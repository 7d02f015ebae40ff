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

Apps above accounts that keep personal data of their own (corrections: a proposer's name and
address) register how to export and erase it (`personal_data_register`); their key in the
export is the name they register under.

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
from django.db.models import Q, QuerySet
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
from broadsheet.discussion.models import Comment, DiscussionSettings, same_email
from broadsheet.moderation.services import anonymise_ip, comment_delete
from broadsheet.publishing.models import PostAuthor

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
    person's addresses (the one asked for and the account's verified ones) or account."""

    export: Callable[[list[str], User | None], list[dict[str, Any]]]
    erase: Callable[[list[str], User | None], int]  # how many rows were anonymised


_keepers: dict[str, PersonalDataKeeper] = {}


def personal_data_register(name: str, keeper: PersonalDataKeeper) -> None:
    """Called by an app above accounts when Django starts (its AppConfig.ready)."""
    _keepers[name] = keeper


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


def _person_comments(
    *, email: str, user: User | None, addresses: list[str] | None = None
) -> QuerySet[Comment]:
    """Comments written by the account or with one of the person's addresses (any case)."""
    condition = Q(user=user) if user is not None else Q()
    # An empty address would match every comment left without one: never match on it.
    for address in {a.strip() for a in [email, *(addresses or [])] if a and a.strip()}:
        condition |= Q(same_email(address))
    if not condition:
        return Comment.objects.none()
    return Comment.objects.filter(condition)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _absolute(url: str) -> str:
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


def _comment_data(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "post": {"title": comment.post.title, "url": _absolute(comment.post.get_absolute_url())},
        "status": comment.status,
        "date": _iso(comment.created_at),
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "ip_address": comment.ip_address,
        "user_agent": comment.user_agent,
        "body": comment.body,
        "permalink": _absolute(comment.get_absolute_url()),
        "in_reply_to": comment.parent_id,
    }


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
        "avatar_url": _absolute(profile.avatar_url),
        "header_url": _absolute(str(profile.header.url)) if profile.header else "",
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
    comments = (
        _person_comments(email=email, user=user, addresses=verified)
        # A page's address walks its parents; one level covers the usual site.
        .select_related("post", "post__parent")
        .order_by("created_at", "pk")
    )
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
        "comments": [_comment_data(c) for c in comments],
        **{
            name: keeper.export(_addresses(email, verified), user)
            for name, keeper in _keepers.items()
        },
    }


def comments_exist_for(*, email: str) -> bool:
    return _person_comments(email=email, user=None).exists()


def comment_removal_allowed() -> bool:
    return bool(getattr(settings, "PRIVACY_ALLOW_COMMENT_REMOVAL", True))


def erasure_refusal(*, user: User) -> str | None:
    """Why an account may not erase itself here, or None. Essays and the site must not break."""
    if user.is_superuser:
        return "An administrator's account is removed by another administrator, in the admin."
    if PostAuthor.objects.filter(author=user).exists():
        return (
            "You are credited as an author of essays here, so your account cannot be erased "
            "from this page. Please ask the site's editors."
        )
    return None


# --- services ---------------------------------------------------------------------------

_ANONYMISED_FIELDS = [
    "author_name",
    "author_email",
    "author_url",
    "user_agent",
    "user",
    "ip_address",
    # The stored card shows the name, link and avatar: built again from what is left.
    "card_html",
    "card_key",
]


def _anonymise(comments: list[Comment]) -> int:
    from broadsheet.discussion.rendering import refresh_card

    settings = DiscussionSettings.current()
    for comment in comments:
        # WordPress's eraser: the words stay, who wrote them and from where goes.
        comment.author_name = "Anonymous"
        comment.author_email = comment.author_url = comment.user_agent = ""
        comment.user = None
        comment.ip_address = anonymise_ip(str(comment.ip_address)) if comment.ip_address else None
        refresh_card(comment, settings)
    Comment.objects.bulk_update(comments, _ANONYMISED_FIELDS, batch_size=500)
    # bulk_update sends no signal: what readers see of these comments is declared here (the
    # cards were built again above).
    effects.pages(posts={c.post_id for c in comments}, listings=True)
    effects.search(comments=[c.pk for c in comments])
    return len(comments)


def _remove(comments: list[Comment]) -> tuple[int, int]:
    removed = tombstoned = 0
    # Deepest first: a reply of the person's own goes before its parent, so the parent is then
    # deleted outright instead of being left as a tombstone with nothing under it.
    # comment_delete keeps the post's comment_count right, so nothing is counted here.
    for comment in sorted(comments, key=lambda c: (-c.depth, -c.pk)):
        if comment_delete(comment=comment) is None:
            removed += 1
        else:
            tombstoned += 1
    return removed, tombstoned


@action
def personal_data_erase(*, email: str, user: User | None, remove_text: bool) -> dict[str, int]:
    """Anonymise (or remove) the person's comments, then delete the account and its addresses.

    When the site sets PRIVACY_ALLOW_COMMENT_REMOVAL = False, `remove_text` is ignored and the
    comments are kept, anonymised. Raises ErasureRefused for an account that may not go.
    """
    if user is not None and (reason := erasure_refusal(user=user)):
        raise ErasureRefused(reason)
    counts = {
        "comments_anonymised": 0,
        "comments_removed": 0,
        "comments_tombstoned": 0,
        "email_addresses": 0,
        "social_accounts": 0,
        "accounts": 0,
    }
    comments = list(
        _person_comments(email=email, user=user, addresses=_verified_addresses(user))
        .select_for_update()
        .order_by("pk")
    )
    if remove_text and comment_removal_allowed():
        counts["comments_removed"], counts["comments_tombstoned"] = _remove(comments)
    else:
        counts["comments_anonymised"] = _anonymise(comments)
    addresses = _addresses(email, _verified_addresses(user))
    for name, keeper in _keepers.items():
        counts[f"{name}_anonymised"] = keeper.erase(addresses, user)
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
    if not comments_exist_for(email=email):
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
