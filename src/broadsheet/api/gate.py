"""What every API request passes before its endpoint: its size, its content type, the rate
limits, and the cache policy of its answer (a GET is public, anything else never kept)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext, ngettext

from broadsheet.api.auth import client_ip, client_ip_of
from broadsheet.api.errors import error_response
from broadsheet.core import ratecount
from broadsheet.core.cache import cache_policy
from broadsheet.core.pagecache import Refusal

View = Callable[..., HttpResponseBase]
WINDOW = 60
_SAFE = ("GET", "HEAD", "OPTIONS")
_CORS = ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Vary")


def _who(request: HttpRequest) -> tuple[str, int]:
    """Whom a request counts against: its token (or session), else its address."""
    header = request.headers.get("Authorization", "")
    if header:
        digest = hashlib.sha256(header.encode()).hexdigest()[:24]
        return f"token:{digest}", settings.API_RATE_PER_TOKEN
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session:
        digest = hashlib.sha256(session.encode()).hexdigest()[:24]
        return f"session:{digest}", settings.API_RATE_PER_TOKEN
    return f"ip:{client_ip(request)}", settings.API_RATE_PER_IP


def _added(key: str, count: int) -> int:
    if cache.add(key, count, WINDOW + 5):  # the first of the window: one write, not two
        return count
    try:
        return int(cache.incr(key, count))
    except ValueError:  # expired between the two calls
        cache.set(key, count, WINDOW + 5)
        return count


def _too_many(wait: int) -> str:
    return ngettext(
        "Too many requests: try again in %(seconds)s second.",
        "Too many requests: try again in %(seconds)s seconds.",
        wait,
    ) % {"seconds": wait}


def _wait(now: float) -> int:
    return max(1, int((int(now // WINDOW) + 1) * WINDOW - now) + 1)


def over_limit(request: HttpRequest) -> int:
    """Seconds to wait, when this caller has used this minute's requests; else 0. Counted in
    this worker and added to the shared counter in batches (core.ratecount, decision 0102)."""
    who, limit = _who(request)
    now = time.time()
    window = int(now // WINDOW)
    used = ratecount.tally.used(f"api-rate:{who}:{window}", window, _added)
    return 0 if used <= limit else _wait(now)


def hit_refusal(meta: dict[str, Any], stored: list[tuple[str, str]]) -> Refusal | None:
    """A stored API answer (a page-cache hit, or its 304) counts against its caller's limit
    as a rendered one does; over it, the same 429. Hits carry no token or session (those are
    never served from the cache), so the caller is their address."""
    now = time.time()
    window = int(now // WINDOW)
    used = ratecount.tally.used(f"api-rate:ip:{client_ip_of(meta)}:{window}", window, _added)
    if used <= settings.API_RATE_PER_IP:
        return None
    wait = _wait(now)
    response = error_response(429, "rate_limited", _too_many(wait),
                              headers={"Retry-After": str(wait)})  # fmt: skip
    # The stored answer was kept for this Origin: its CORS headers let the page read the 429.
    kept = [(name, value) for name, value in stored if name in _CORS]
    return 429, [*response.items(), *kept], response.content


def _refusal(request: HttpRequest) -> HttpResponseBase | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.API_MAX_BODY_KB * 1024:
        return error_response(
            413,
            "too_large",
            gettext("The request is larger than %(size)s KB.") % {"size": settings.API_MAX_BODY_KB},
        )
    if request.method not in _SAFE and length:
        kind = request.content_type or ""
        if kind != "application/json":
            return error_response(
                415,
                "unsupported_media_type",
                gettext("Send the request's body as JSON (Content-Type: application/json)."),
            )
    wait = over_limit(request)
    if wait:
        return error_response(
            429,
            "rate_limited",
            _too_many(wait),
            headers={"Retry-After": str(wait)},
        )
    return None


def _as_json(response: HttpResponseBase) -> HttpResponseBase:
    """django-ninja answers a method a path does not take with an empty 405: ours is JSON."""
    if response.status_code != 405 or response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return response
    allowed = response.get("Allow", "")
    return error_response(
        405,
        "method_not_allowed",
        (
            gettext("This address takes %(methods)s.") % {"methods": allowed}
            if allowed
            else gettext("This address takes other methods.")
        ),
        headers={"Allow": allowed} if allowed else None,
    )


def gated(view: View) -> View:
    """`view` (one of django-ninja's) behind the gate, with a declared cache policy: GETs are
    public (revalidated every time: their ETag answers 304), writes never stored."""
    public = cache_policy("public", max_age=0)(view)
    private = cache_policy("private")(view)
    never = cache_policy("never")(view)

    @wraps(view)
    def run(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        refused = _refusal(request)
        if refused is not None:
            return refused
        if request.method not in _SAFE:
            chosen = never
        elif "Authorization" in request.headers:
            chosen = private
        else:
            chosen = public
        return _as_json(chosen(request, *args, **kwargs))

    run.cache_policy = "public"  # type: ignore[attr-defined]
    return run
