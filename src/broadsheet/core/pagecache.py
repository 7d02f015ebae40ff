"""Whole-page cache for anonymous readers, shared by every worker through Django's cache.

A page is stored with the versions of what it was built from — `site` (everything every page
shows: title, menu, footer archive list, categories), `listings` (home, archives, feeds,
search, sitemaps) and `post:<id>` (a post or page and its discussion). A hit checks those
versions and returns the stored bytes without touching the ORM or the template engine; a
change bumps the versions of exactly what it affects (declared by the action that made it,
after its commit: core.effects).

Two layers serve hits. `PageCacheFront` wraps the WSGI application and answers a hit before
Django builds a request at all; `PageCacheMiddleware`, the outermost middleware, stores what
Django rendered (with every header the other middleware added) and answers hits for callers
that do not go through the front (the test client, another WSGI entry point). Each worker keeps
the pages it served last in memory and trusts the versions it read for `_VERSION_TTL` seconds,
so a hit costs neither a cache round trip nor unpickling; a change made anywhere is served by
every worker within that time (the worker that made it, at once).

Pages are keyed by the code that built them (core.fingerprint): after an upgrade — new
templates, new code, another Django — no page or validator stored by the old code is served,
and the first worker to run the new code purges the cache in front (decision 0057).

Requests that may be personal — a session, a pending comment, a one-off message, an
Authorization header, anything but GET/HEAD — pass straight through, and a response is stored
only when its view declared it public and it sets no cookie. Addresses with a query string
(search results) are never stored, so no one can fill the cache by asking new questions.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.http.cookie import parse_cookie
from django.utils.cache import patch_cache_control
from django.utils.connection import ConnectionProxy
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from broadsheet.core import compress
from broadsheet.core.fingerprint import code_fingerprint
from broadsheet.core.memo import Kept
from broadsheet.core.metrics import page_cache as page_cache_counted

# A cache of its own (settings.CACHES): making room for pages never drops anything else.
cache = ConnectionProxy(caches, "pages")

SITE, LISTINGS = "site", "listings"
_VERSION = "pcv:"
_PAGE = "pc:"
_CODE = "pcc:"
_TIMEOUT = 24 * 3600  # a stored page is also dropped after a day, whatever happens
_dependencies: ContextVar[set[str] | None] = ContextVar("page_dependencies", default=None)
_differs: ContextVar[bool] = ContextVar("page_differs", default=False)


def page_shows_post(post_id: int) -> None:
    """Called by the post and page views: this page is one post's, not a listing. (Every other
    public page — home, archives, feeds, search, sitemaps — depends on `listings`.)"""
    current = _dependencies.get()
    if current is not None:
        current.discard(LISTINGS)
        current.add(post_dependency(post_id))


def page_differs_each_render() -> None:
    """Called by a view whose page is different every time it is rendered (the comment form's
    signed `shown_at` token): rendered, not stored, it gets no validators. No later request
    could match its ETag (hashing the 1.7 MB page of 2,000 comments took 0.9 ms of each render
    with the page cache off), and a Last-Modified of the second it was rendered would answer a
    page changed within that second 304. A stored page still gets both: every hit serves the
    same bytes."""
    _differs.set(True)


def versions_etag(names: Iterable[str], extra: str = "") -> str:
    """A validator from the versions of what a response is built from (and the code that
    builds it): a conditional request is answered 304 before anything is read or rendered,
    and the answer changes with the pages (the API's lists, decision 0072)."""
    versions = _local.current_versions(names)
    parts = [_code, extra, *(f"{name}={versions[name]}" for name in sorted(versions))]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def etag_matches(request: HttpRequest, etag: str) -> bool:
    """Whether the request's If-None-Match names `etag` (weak or strong, or *)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or any(given.removeprefix("W/") == etag for given in tags)


def tag(name: str) -> str:
    """A dependency as a CDN tag (`post:5` → `post-5`: colons are not allowed everywhere)."""
    return name.replace(":", "-")


def post_dependency(post_id: int) -> str:
    return f"post:{post_id}"


# Bumped with every change: a page whose rendering overlapped a change is not stored (it may
# have read some rows before the change and its versions after it).
_ANY = "any"


def pages_changed(*names: str) -> None:
    """Pages built from these are stale: after the commit, bump their versions (declared as
    an effect, see core.effects: once per transaction whatever the number of changes)."""
    from broadsheet.core.effects import PAGES, declare

    declare(PAGES, names)


def pages_bump(names: Iterable[str]) -> None:
    """Bump these versions now, and tell the cache in front (PAGE_PURGE_URL) to drop them."""
    wanted = set(names)
    fresh = {name: uuid.uuid4().hex for name in (*wanted, _ANY)}
    cache.set_many({_VERSION + name: value for name, value in fresh.items()}, None)
    _local.remember_versions(fresh)
    if settings.PAGE_PURGE_URL:
        from broadsheet.core.tasks import purge_shared_caches

        purge_shared_caches.enqueue(sorted(tag(name) for name in wanted))


def _shared_versions(names: Iterable[str]) -> dict[str, str]:
    keys = [_VERSION + name for name in names]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        # add(): two workers starting the same version agree on the first one written.
        for key, value in missing.items():
            cache.add(key, value, None)
        found.update(cache.get_many(list(missing)))
    return {key[len(_VERSION) :]: value for key, value in found.items()}


# How long a worker trusts the versions it last read before asking the cache again: the most
# a change made by another worker (or machine) waits before this one serves it.
_VERSION_TTL = 0.25
# Pages a worker keeps in its own memory (the most recently served first).
_MEMORY_BYTES = 32 * 1024 * 1024


class Entry:
    """A stored page, with what a hit needs worked out once: status line, headers, validators."""

    __slots__ = (
        "compressible",
        "content",
        "etag",
        "gzip_body",
        "gzip_headers",
        "headers",
        "hit_headers",
        "last_modified",
        "not_modified_headers",
        "status",
        "status_line",
        "versions",
    )  # fmt: skip

    def __init__(
        self, versions: dict[str, str], status: int, headers: list[tuple[str, str]], content: bytes
    ) -> None:
        self.versions, self.status, self.headers, self.content = versions, status, headers, content
        named = dict(headers)
        self.etag = named.get("ETag", "")
        self.last_modified = parse_http_date_safe(named.get("Last-Modified", ""))
        self.status_line = f"{status} {HTTPStatus(status).phrase}"
        self.hit_headers = [
            *headers,
            ("Content-Length", str(len(content))),
            ("X-Page-Cache", "hit"),
        ]
        # RFC 9110 15.4.5: a 304 says what the 200 would have said about caching and validation.
        keep = {"ETag", "Last-Modified", "Cache-Control", "Vary", "Expires", "Content-Location"}
        keep |= {"Access-Control-Allow-Origin", "Access-Control-Expose-Headers"}  # CORS reads
        self.not_modified_headers = [(name, value) for name, value in headers if name in keep]
        self.compressible = (
            compress.compressible(
                named.get("Content-Type", ""), named.get("Cache-Control", ""), len(content)
            )
            and "Content-Encoding" not in named
        )
        # Gzipped with the entry, once per worker: a hit then costs no pass over the bytes (the
        # checksum that names them in compress's memory took 75 µs of a 100 µs hit).
        self.gzip_body: bytes | None = None
        self.gzip_headers: list[tuple[str, str]] = []
        if self.compressible:
            self.gzip_body = compress.gzipped(content, self.etag)
            self.gzip_headers = [
                *((n, compress.weak(v) if n == "ETag" else v) for n, v in headers),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(self.gzip_body))),
                ("X-Page-Cache", "hit"),
            ]

    def answer(self, meta: dict[str, Any]) -> tuple[list[tuple[str, str]], bytes]:
        """The headers and bytes of a hit: gzipped for a client taking it."""
        if self.gzip_body is None or not compress.accepts_gzip(meta):
            return self.hit_headers, self.content
        return self.gzip_headers, self.gzip_body

    def not_modified(self, meta: dict[str, Any]) -> bool:
        """Whether the request (its WSGI environ) already has this page. RFC 9110 13.2.2:
        If-None-Match (weak comparison) wins over If-Modified-Since."""
        if_none_match = meta.get("HTTP_IF_NONE_MATCH")
        if_modified_since = meta.get("HTTP_IF_MODIFIED_SINCE")
        if if_none_match is not None:
            tags = parse_etags(if_none_match)
            etag = self.etag.removeprefix("W/")
            return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)
        if if_modified_since is not None:
            since, modified = parse_http_date_safe(if_modified_since), self.last_modified
            return since is not None and modified is not None and modified <= since
        return False


class _Local:
    """One worker's memory: recently served pages and the versions it last read."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        with self.lock:
            self.pages: Kept[str, Entry] = Kept(
                _MEMORY_BYTES, weight=_content_size, largest=_MEMORY_BYTES // 4
            )
            self.versions: dict[str, tuple[str, float]] = {}

    def remember_versions(self, versions: dict[str, str]) -> None:
        now = time.monotonic()
        with self.lock:
            self.versions.update({name: (value, now) for name, value in versions.items()})

    def current_versions(self, names: Iterable[str]) -> dict[str, str]:
        now = time.monotonic()
        found, stale = {}, []
        for name in names:
            known = self.versions.get(name)
            if known is not None and now - known[1] < _VERSION_TTL:
                found[name] = known[0]
            else:
                stale.append(name)
        if stale:
            fresh = _shared_versions(stale)
            self.remember_versions(fresh)
            found.update(fresh)
        return found

    def page(self, key: str) -> Entry | None:
        return self.pages.get(key)

    def keep(self, key: str, entry: Entry) -> None:
        self.pages.put(key, entry)


def _content_size(entry: Entry) -> int:
    return len(entry.content) + len(entry.gzip_body or b"")


_local = _Local()


def forget_worker_memory() -> None:
    """Drop the pages and versions this worker keeps (tests switch caches: start afresh)."""
    global _code_since
    _local.forget()
    _code_since = None


# The code this process runs, and the key prefix of the pages it stores: worked out once, so
# a hit pays nothing for it. Pages stored by other code have other keys and are never found.
_code = ""
_page_prefix = _PAGE
# When this code first stored a page here (Unix time, shared through the cache), read once.
_code_since: int | None = None


def use_code(fingerprint: str) -> None:
    """Key pages and validators by this code fingerprint (at import; tests pass another to
    stand for an upgrade)."""
    global _code, _page_prefix, _code_since
    _code, _page_prefix, _code_since = fingerprint, f"{_PAGE}{fingerprint}:", None


def code() -> str:
    """The fingerprint of the code serving pages (part of every ETag given out)."""
    return _code


def code_since() -> int:
    """When this code first served a page here: no Last-Modified date it gives out is earlier,
    so a page a client got from older code is never declared unmodified (RFC 9110 13.1.3).

    The first worker to see new code also bumps `site`, which every page depends on: a cache
    in front (PAGE_PURGE_URL) drops every page the old code built. `add()` makes that happen
    once per upgrade, whichever of the workers gets there first.
    """
    global _code_since
    if _code_since is None:
        key, now = _CODE + _code, int(time.time())
        if cache.add(key, now, None):
            pages_bump([SITE])
            _code_since = now
        else:
            _code_since = int(cache.get(key, now))
    return _code_since


use_code(code_fingerprint())


# Checks a stored page must pass before it is served, by path prefix: registered by the apps
# above (the API counts its rate limits on hits too, decision 0102). A guard returns None, or
# the refusal to send instead: its status, headers and body.
Refusal = tuple[int, list[tuple[str, str]], bytes]
HitGuard = Callable[[dict[str, Any], list[tuple[str, str]]], Refusal | None]
_hit_guards: list[tuple[str, HitGuard]] = []


def hit_guard_register(prefix: str, guard: HitGuard) -> None:
    """Called by an app's AppConfig.ready: `guard(environ, the stored headers)` runs before
    every hit (and 304) served from the cache for an address under `prefix`."""
    _hit_guards.append((prefix, guard))


def hit_refused(meta: dict[str, Any], entry: Entry) -> Refusal | None:
    if not _hit_guards:
        return None
    path = meta.get("SCRIPT_NAME", "") + meta.get("PATH_INFO", "")
    for prefix, guard in _hit_guards:
        if path.startswith(prefix) and (refusal := guard(meta, entry.headers)) is not None:
            return refusal
    return None


def lookup(key: str) -> Entry | None:
    """The stored page for `key` if nothing it shows has changed since it was stored."""
    entry = _local.page(key)
    if entry is not None and _local.current_versions(entry.versions) == entry.versions:
        return entry
    stored = cache.get(key)
    # A stale page is not made an entry: that gzips it.
    if stored is None or _local.current_versions(stored["versions"]) != stored["versions"]:
        return None
    entry = Entry(stored["versions"], stored["status"], stored["headers"], stored["content"])
    _local.keep(key, entry)
    return entry


def request_key(meta: dict[str, Any]) -> str | None:
    """The cache key of a request that may be answered from the cache, else None.

    Built from the raw WSGI environ so that the front (before Django) and the middleware
    agree. Only a request Django answered successfully is ever stored, so an address with a
    host Django refuses never has an entry.
    """
    if meta.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in meta:
        return None
    path = meta.get("SCRIPT_NAME", "") + meta.get("PATH_INFO", "")
    if path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return None
    cookie_header = meta.get("HTTP_COOKIE")
    if cookie_header and _has_personal_cookie(cookie_header):
        return None
    query = meta.get("QUERY_STRING", "")
    if query:
        # Search results (`?s=`) and addresses nobody links to (`?utm_source=`) are rendered,
        # not stored: every distinct query would be a new entry, and anyone can send millions.
        return None
    scheme = meta.get("wsgi.url_scheme", "http")
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure = settings.SECURE_PROXY_SSL_HEADER
        if header in meta:
            scheme = "https" if meta[header].split(",", 1)[0].strip() == secure else "http"
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        host = meta["HTTP_X_FORWARDED_HOST"]
    else:
        host = (
            meta.get("HTTP_HOST") or f"{meta.get('SERVER_NAME', '')}:{meta.get('SERVER_PORT', '')}"
        )
    address = f"{scheme}://{host}{path}?{query}"
    if wants_activity_streams(meta.get("HTTP_ACCEPT", "")):
        address += "#activitystreams"  # its own entry: the document, not the page
    origin = meta.get("HTTP_ORIGIN")
    if origin is not None:
        # A read from an embedding site is kept per origin with the CORS header naming it
        # (broadsheet.embed); any other origin is answered fresh, so no one fills the cache
        # by inventing origins.
        allowed = {o.lower() for o in getattr(settings, "EMBED_ALLOWED_ORIGINS", ())}
        if origin.lower() not in allowed:
            return None
        address += f"#origin={origin.lower()}"
    if settings.READER_LANGUAGE:
        # One copy per language readers may get (never per raw header: a few entries, not one
        # for every Accept-Language string a client can invent). Off, the key is unchanged.
        address += f"#lang={reader_language(meta)}"
    return _page_prefix + hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()


def wants_activity_streams(accept: str) -> bool:
    """An ActivityPub client asking for a page's document (federation negotiates it)."""
    accept = accept.lower()
    return "application/activity+json" in accept or "/ns/activitystreams" in accept


def reader_language(meta: dict[str, Any]) -> str:
    """The language LocaleMiddleware will choose for this request (READER_LANGUAGE on): the
    language cookie, else the best of Accept-Language among LANGUAGES, else LANGUAGE_CODE.
    Django's own choice, asked of the WSGI environ (it reads only cookies and headers)."""
    from django.utils.translation import get_language_from_request

    cookie_header = meta.get("HTTP_COOKIE", "")
    cookies = parse_cookie(cookie_header) if settings.LANGUAGE_COOKIE_NAME in cookie_header else {}
    return get_language_from_request(_Headers(cookies, meta))  # type: ignore[arg-type]


class _Headers:
    """What get_language_from_request reads of a request."""

    __slots__ = ("COOKIES", "META")

    def __init__(self, cookies: dict[str, str], meta: dict[str, Any]) -> None:
        self.COOKIES, self.META = cookies, meta


def _has_personal_cookie(header: str) -> bool:
    from broadsheet.core.cache import personal_cookies

    names = personal_cookies()
    if not any(name in header for name in names):
        return False  # the common case, without parsing
    cookies = parse_cookie(header)  # as Django reads request.COOKIES
    return any(name in cookies for name in names)


class PageCacheFront:
    """WSGI wrapper: a hit is answered before Django builds a request (no middleware, no
    request signals, no database connection check)."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if settings.PAGE_CACHE:
            key = request_key(environ)
            entry = lookup(key) if key is not None else None
            if key is not None:
                page_cache_counted(entry is not None)
            if entry is not None:
                refusal = hit_refused(environ, entry)
                if refusal is not None:
                    status, headers, body = refusal
                    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
                    return [body]
                if entry.not_modified(environ):
                    start_response("304 Not Modified", entry.not_modified_headers)
                    return []
                headers, body = entry.answer(environ)
                start_response(entry.status_line, headers)
                return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        return self.application(environ, start_response)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        key = request_key(request.META)  # None: personal, or an address never stored
        if key is not None and settings.PAGE_CACHE and (entry := lookup(key)) is not None:
            return self._replay(request, entry)
        if _code_since is None and key is not None:
            code_since()  # once per process: the first worker on new code purges (0057)
        storing = key is not None and settings.PAGE_CACHE and request.method == "GET"
        before = _shared_versions([_ANY]) if storing else None
        token, differs = _dependencies.set({SITE, LISTINGS}), _differs.set(False)
        try:
            response = self.get_response(request)
            names = _dependencies.get() or {SITE, LISTINGS}
            tagged = storing or not _differs.get()
        finally:
            _dependencies.reset(token)
            _differs.reset(differs)
        if not self._storable(response):
            return response
        assert isinstance(response, HttpResponse)
        compress.vary(response)  # before it is stored: the stored headers say it too
        if settings.PAGE_PURGE_URL:
            self._for_shared_caches(response, names)
        # Every public response carries validators, stored or not (PAGE_CACHE off, HEAD, an
        # address with other query parameters); a conditional request then gets a 304. Only
        # a page different on each render goes without them when it is not stored.
        # The versions a stored page is checked against, read only for a page to be stored.
        versions = _local.current_versions(names) if storing else {}
        entry = self._entry(response, versions, tagged=tagged)
        if storing and key is not None and _shared_versions([_ANY]) == before:
            self._store(key, entry)
        if entry.not_modified(request.META):
            return self._not_modified(entry)
        return compress.negotiate(request.META, response)

    @staticmethod
    def _storable(response: HttpResponseBase) -> bool:
        control = response.get("Cache-Control", "")
        return (
            # Not 404s: any address can be asked for, and storing each would let anyone fill
            # the cache.
            response.status_code in (200, 301)
            and "public" in control
            and isinstance(response, HttpResponse)
            and not response.cookies
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
    def _entry(response: HttpResponse, versions: dict[str, str], *, tagged: bool) -> Entry:
        if tagged and not response.has_header("ETag"):
            # The code is part of the tag: a client holding the old code's page revalidates.
            digest = hashlib.sha256(_code.encode() + response.content).hexdigest()[:32]
            response["ETag"] = f'"{digest}"'
        if tagged and not response.has_header("Last-Modified"):
            # Not for a page different on every render: a date to the second would answer a
            # page changed within that second 304.
            response["Last-Modified"] = http_date()
        return Entry(
            versions,
            response.status_code,
            [(name, value) for name, value in response.items() if name != "Content-Length"],
            response.content,
        )

    @staticmethod
    def _store(key: str, entry: Entry) -> None:
        stored = {
            "versions": entry.versions,
            "status": entry.status,
            "headers": entry.headers,
            "content": entry.content,
        }
        cache.set(key, stored, _TIMEOUT)
        _local.keep(key, entry)

    @staticmethod
    def _not_modified(entry: Entry) -> HttpResponse:
        response = HttpResponse(status=304)
        for name, value in entry.not_modified_headers:
            response[name] = value
        del response["Content-Type"]
        return response

    @classmethod
    def _replay(cls, request: HttpRequest, entry: Entry) -> HttpResponse:
        refusal = hit_refused(request.META, entry)
        if refusal is not None:
            status, headers, body = refusal
            refused = HttpResponse(body, status=status)
            for name, value in headers:
                refused[name] = value
            return refused
        if entry.not_modified(request.META):
            return cls._not_modified(entry)
        headers, body = entry.answer(request.META)
        response = HttpResponse(body, status=entry.status)
        for name, value in headers:
            if name != "Content-Length":
                response[name] = value
        return response
