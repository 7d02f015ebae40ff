"""Whole-page cache for anonymous readers, shared by every worker through Django's cache.

A page is stored with the versions of what it was built from — `site` (everything every page
shows: title, menu, footer archive list, categories), `listings` (home, archives, feeds,
search, sitemaps) and `post:<id>` (a post or page and its discussion). A hit checks those
versions in one round trip and returns the stored bytes without touching the ORM or the
template engine; a change bumps the versions of exactly what it affects (signals, after
commit), so every worker serves the change on its next request.

Requests that may be personal — a session, a pending comment, a one-off message, anything but
GET/HEAD — pass straight through, and a response is stored only when its view declared it
public and it sets no cookie.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_cache_control

SITE, LISTINGS = "site", "listings"
_VERSION = "pcv:"
_PAGE = "pc:"
_TIMEOUT = 24 * 3600  # a stored page is also dropped after a day, whatever happens
_dependencies: ContextVar[set[str] | None] = ContextVar("page_dependencies", default=None)


def page_shows_post(post_id: int) -> None:
    """Called by the post and page views: this page is one post's, not a listing. (Every other
    public page — home, archives, feeds, search, sitemaps — depends on `listings`.)"""
    current = _dependencies.get()
    if current is not None:
        current.discard(LISTINGS)
        current.add(post_dependency(post_id))


def tag(name: str) -> str:
    """A dependency as a CDN tag (`post:5` → `post-5`: colons are not allowed everywhere)."""
    return name.replace(":", "-")


def post_dependency(post_id: int) -> str:
    return f"post:{post_id}"


def pages_changed(*names: str) -> None:
    """Pages built from these are stale: after the commit, bump their versions."""
    wanted = set(names)

    def bump() -> None:
        cache.set_many({_VERSION + name: uuid.uuid4().hex for name in wanted}, None)
        if settings.PAGE_PURGE_URL:
            from broadsheet.core.tasks import purge_shared_caches

            purge_shared_caches.enqueue(sorted(tag(name) for name in wanted))

    transaction.on_commit(bump)


def _versions(names: Iterable[str]) -> dict[str, str]:
    keys = [_VERSION + name for name in names]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        # add(): two workers starting the same version agree on the first one written.
        for key, value in missing.items():
            cache.add(key, value, None)
        found.update(cache.get_many(list(missing)))
    return {key[len(_VERSION) :]: value for key, value in found.items()}


def _key(request: HttpRequest) -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    return _PAGE + hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()


# Query parameters a cached page may have (search, its comments switch); any other makes the
# address one nobody links to, rendered but not stored.
_CACHED_QUERY = frozenset({"s", "comments"})


def _known_query(request: HttpRequest) -> bool:
    return set(request.GET) <= _CACHED_QUERY


def _personal(request: HttpRequest) -> bool:
    from broadsheet.core.cache import personal_cookies

    return any(name in request.COOKIES for name in personal_cookies()) or (
        "HTTP_AUTHORIZATION" in request.META
    )


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or _personal(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key) if settings.PAGE_CACHE else None
        if stored is not None and _versions(stored["versions"]) == stored["versions"]:
            return self._replay(request, stored)
        token = _dependencies.set({SITE, LISTINGS})
        try:
            response = self.get_response(request)
            names = _dependencies.get() or {SITE, LISTINGS}
        finally:
            _dependencies.reset(token)
        if not self._storable(response):
            return response
        if settings.PAGE_PURGE_URL:
            self._for_shared_caches(response, names)
        if settings.PAGE_CACHE and request.method == "GET" and _known_query(request):
            self._store(key, response, names)
            conditional = get_conditional_response(
                request, etag=response["ETag"], last_modified=None, response=response
            )
            if conditional is not None and conditional is not response:
                return conditional
        return response

    @staticmethod
    def _storable(response: HttpResponse) -> bool:
        control = response.get("Cache-Control", "")
        return (
            # Not 404s: any address can be asked for, and storing each would let anyone fill
            # the cache.
            response.status_code in (200, 301)
            and "public" in control
            and not response.cookies
            and not response.streaming
            and not response.has_header("Set-Cookie")
        )

    @staticmethod
    def _for_shared_caches(response: HttpResponse, names: set[str]) -> None:
        """A purging cache in front may keep the page a day: every change purges its tags."""
        patch_cache_control(response, s_maxage=86400, stale_while_revalidate=60)
        tags = sorted(tag(name) for name in names)
        response["Cache-Tag"] = ",".join(tags)
        response["Surrogate-Key"] = " ".join(tags)

    @staticmethod
    def _store(key: str, response: HttpResponse, names: set[str]) -> None:
        if not response.has_header("ETag"):
            response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        cache.set(
            key,
            {
                "versions": _versions(names),
                "status": response.status_code,
                "headers": list(response.items()),
                "content": response.content,
            },
            _TIMEOUT,
        )

    @staticmethod
    def _replay(request: HttpRequest, stored: dict[str, Any]) -> HttpResponse:
        headers = dict(stored["headers"])
        conditional = get_conditional_response(
            request, etag=headers.get("ETag"), last_modified=None
        )
        if isinstance(conditional, HttpResponseNotModified):
            for name in ("ETag", "Cache-Control", "Vary"):
                if name in headers:
                    conditional[name] = headers[name]
            return conditional
        response = HttpResponse(stored["content"], status=stored["status"])
        for name, value in stored["headers"]:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response
