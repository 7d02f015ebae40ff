"""Signed links in emails: they work without an account, expire, and can be made single-use."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from broadsheet.notifications.models import UsedLink

DAY = 24 * 3600


class LinkError(Exception):
    """The link is forged, expired, or already used; `message` says which, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=f"broadsheet.link.{purpose}", compress=True)


def read_token(purpose: str, token: str, *, max_age: int) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=f"broadsheet.link.{purpose}", max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(gettext("This link has expired.")) from None
    except signing.BadSignature:
        raise LinkError(
            gettext("This link is not valid: it may have been cut short or changed.")
        ) from None
    if not isinstance(data, dict):
        raise LinkError(gettext("This link is not valid."))
    return data


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def use_once(token: str) -> None:
    """Record a single-use link as used; a second use raises LinkError."""
    try:
        with transaction.atomic():
            UsedLink.objects.create(digest=_digest(token))
    except IntegrityError:
        raise LinkError(gettext("This link was already used.")) from None


def link_used(token: str) -> bool:
    return UsedLink.objects.filter(digest=_digest(token)).exists()


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
