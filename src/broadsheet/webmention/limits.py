"""How many Webmentions the endpoint takes an hour, counted apart per sender's IP address and
per source host (decision 0023's rule: every way in has a limit, counted in the shared cache).
Each accepted request asks the worker to fetch a page: without a limit anyone could make the
server fetch for them, or fill the moderation queue."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

_WINDOW = 60 * 60


def client_ip(request: HttpRequest) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUST_X_FORWARDED_FOR and forwarded:
        return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _counted(key: str) -> int:
    # add() starts the hour's window once; incr() is atomic on the shared cache backends.
    if cache.add(key, 1, timeout=_WINDOW):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=_WINDOW)
        return 1


def _wait() -> int:
    now = time.time()
    return max(1, int((now // _WINDOW + 1) * _WINDOW - now))


def ip_over_limit(request: HttpRequest) -> int:
    """Seconds to wait when this address has sent WEBMENTION_PER_HOUR_IP requests this hour
    (every request counts, refused ones too); else 0."""
    hour = int(time.time() // _WINDOW)
    used = _counted(f"webmention:ip:{client_ip(request)}:{hour}")
    return _wait() if used > settings.WEBMENTION_PER_HOUR_IP else 0


def source_over_limit(source: str) -> int:
    """Seconds to wait when mentions from this source's host passed WEBMENTION_PER_HOUR_SOURCE
    this hour (counted once the request is well formed); else 0."""
    host = (urlsplit(source).hostname or "").lower()
    hour = int(time.time() // _WINDOW)
    used = _counted(f"webmention:host:{host}:{hour}")
    return _wait() if used > settings.WEBMENTION_PER_HOUR_SOURCE else 0
