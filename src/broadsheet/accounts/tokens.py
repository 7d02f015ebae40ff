"""Personal access tokens for the API: made and revoked on the reader's account page.

A token is `bs_` and 43 random characters; only its SHA-256 is kept, with its first
characters (the prefix) for its owner to tell tokens apart. The secret is shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from broadsheet.accounts.models import AccessToken
from broadsheet.core.effects import action
from broadsheet.core.sanitize import without_nul

TOKEN_START = "bs_"  # noqa: S105 (the visible start of every token, not a secret)
SCOPES = tuple(AccessToken.Scope.values)
MAX_TOKENS = 20
# last_used_at is written at most this often per token: one UPDATE per request would make
# every read a write.
USE_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    secret: str  # shown once, never stored


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenRefused(ValueError):
    pass


@action
def access_token_create(*, user: Any, name: str, scopes: list[str]) -> NewToken:
    """A new token for `user` with these scopes (read, comment, moderate)."""
    name = " ".join(without_nul(name).split())[:100]
    if not name:
        raise TokenRefused(gettext("Give the token a name, such as the script that will use it."))
    chosen = [scope for scope in SCOPES if scope in scopes]
    if not chosen:
        raise TokenRefused(gettext("Choose at least one thing the token may do."))
    if AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS:
        raise TokenRefused(
            gettext("You have %(count)s tokens: revoke one you no longer use first.")
            % {"count": MAX_TOKENS}
        )
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(TOKEN_START) + 6],
        digest=token_digest(secret),
        scopes=chosen,
    )
    # Nothing a reader's page shows: no effect to declare.
    return NewToken(token=token, secret=secret)


@action
def access_token_revoke(*, user: Any, token_id: int) -> bool:
    """Revoke one of `user`'s tokens (another's id revokes nothing)."""
    revoked = AccessToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return bool(revoked)


def token_for_secret(secret: str) -> AccessToken | None:
    """The live token with this secret, its use noted (at most every few minutes)."""
    if not secret.startswith(TOKEN_START) or len(secret) > 100:
        return None
    token = (
        AccessToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: Any) -> list[AccessToken]:
    return list(AccessToken.objects.filter(user=user, revoked_at__isnull=True))
