"""The short-lived token the sign-in popup hands an embedding page (decision 0077).

A signed value (Django's signing, its own salt) naming the reader, the origin it was given to
and how they signed in; nothing is stored. It is sent as `Authorization: Bearer bse_…` and
honoured only with that same Origin, for TOKEN_MINUTES.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

PREFIX = "bse_"
TOKEN_MINUTES = 60
_SALT = "broadsheet.embed.token"


@dataclass(frozen=True)
class EmbedToken:
    user_id: int
    origin: str
    provider: str


def token_issue(*, user_id: int, origin: str, provider: str) -> str:
    return PREFIX + signing.dumps({"u": user_id, "o": origin, "p": provider}, salt=_SALT)


def token_read(value: str) -> EmbedToken | None:
    """The token's content, or None when forged, expired or malformed."""
    if not value.startswith(PREFIX) or len(value) > 1000:
        return None
    try:
        data = signing.loads(value[len(PREFIX) :], salt=_SALT, max_age=TOKEN_MINUTES * 60)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict):
        return None
    user_id, origin, provider = data.get("u"), data.get("o"), data.get("p")
    if not isinstance(user_id, int) or not isinstance(origin, str) or not isinstance(provider, str):
        return None
    return EmbedToken(user_id, origin, provider)
