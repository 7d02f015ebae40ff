"""The origins allowed to embed threads (settings.EMBED_ALLOWED_ORIGINS), compared exactly."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def allowed_origins() -> frozenset[str]:
    return frozenset(
        origin.rstrip("/").lower() for origin in getattr(settings, "EMBED_ALLOWED_ORIGINS", ())
    )


def allowed_origin(origin: str | None) -> str | None:
    """`origin` as allowed, or None. Only a bare scheme://host[:port] matches: a path, a
    user or a trailing dot makes another string, so a look-alike never passes."""
    if not origin or len(origin) > 300:
        return None
    normal = origin.lower()
    return normal if normal in allowed_origins() else None


def origin_of(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()
