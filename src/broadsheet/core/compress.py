"""gzip for the public JSON and JavaScript this site serves to other sites (the API's answers,
/embed.js): compressed once per version of the bytes, never once per request (decision 0101).

A response is compressed only when it is public (`Cache-Control: public`: the same for every
reader, so nothing secret sits beside what a caller chose, as BREACH needs), a GET or HEAD, of
a content type in `COMPRESSIBLE` and at least `MIN_BYTES` long. It always says
`Vary: Accept-Encoding`; a client that accepts gzip gets the gzipped bytes, with
`Content-Encoding: gzip` and its ETag made weak (the same words, other bytes), as Django's
GZipMiddleware does. The compressed bytes are kept in each worker's memory by the response's
ETag and a checksum of its bytes, so a thread's page is compressed once per version of it (a
versions ETag, decision 0072) and the script once per deploy. Brotli would need a dependency
the project does not have; gzip is what every browser takes.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Any

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from broadsheet.core.memo import Kept

COMPRESSIBLE = ("application/json", "text/javascript")
MIN_BYTES = 512
LEVEL = 6  # zlib's default: most of level 9's gain for a third of its time
_MEMORY_BYTES = 8 * 1024 * 1024  # compressed bytes kept per worker


def accepts_gzip(meta: dict[str, Any]) -> bool:
    """Whether the request's Accept-Encoding takes gzip (RFC 9110 12.5.3: `gzip` or `x-gzip`,
    else `*`, unless its weight is 0)."""
    header = meta.get("HTTP_ACCEPT_ENCODING", "")
    weights: dict[str, float] = {}
    for item in header.lower().split(","):
        name, _, params = item.strip().partition(";")
        weight = params.strip().removeprefix("q=").strip() if params else "1"
        try:
            weights[name.strip()] = float(weight or "1")
        except ValueError:
            weights[name.strip()] = 0.0
    for name in ("gzip", "x-gzip", "*"):
        if name in weights:
            return weights[name] > 0
    return False


def compressible(content_type: str, cache_control: str, length: int) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in COMPRESSIBLE and "public" in cache_control and length >= MIN_BYTES


class _Compressed:
    """A worker's compressed bytes, the most recently used kept, by what they were made from."""

    def __init__(self) -> None:
        self.kept: Kept[tuple[str, int, int], bytes] = Kept(
            _MEMORY_BYTES, weight=len, largest=_MEMORY_BYTES // 8
        )

    def get(self, etag: str, content: bytes, level: int) -> bytes:
        # The checksum (fast: about 50 µs for a 100 KB thread) guards against two bodies
        # under one tag; without a tag only the checksum names the bytes.
        key = (etag, len(content), zlib.adler32(content))
        found = self.kept.get(key)
        if found is None:
            found = gzip.compress(content, compresslevel=level, mtime=0)
            self.kept.put(key, found)
        return found

    def forget(self) -> None:
        self.kept.clear()


compressed = _Compressed()


def gzipped(content: bytes, etag: str = "", level: int = LEVEL) -> bytes:
    """`content` gzipped, made once per worker for the same tag and bytes (a file made once
    per deploy may ask for level 9 first)."""
    return compressed.get(etag, content, level)


def weak(etag: str) -> str:
    return etag if not etag or etag.startswith("W/") else f"W/{etag}"


def vary(response: HttpResponseBase) -> bool:
    """Say `Vary: Accept-Encoding` on a response we compress; whether it is one."""
    if (
        not isinstance(response, HttpResponse)
        or response.status_code != 200
        or response.has_header("Content-Encoding")
        or not compressible(
            response.get("Content-Type", ""),
            response.get("Cache-Control", ""),
            len(response.content),
        )
    ):
        return False
    patch_vary_headers(response, ["Accept-Encoding"])
    return True


def negotiate(meta: dict[str, Any], response: HttpResponseBase) -> HttpResponseBase:
    """The response gzipped for a client that accepts it, when it is one we compress."""
    if meta.get("REQUEST_METHOD") not in ("GET", "HEAD") or not vary(response):
        return response
    if not accepts_gzip(meta):
        return response
    assert isinstance(response, HttpResponse)
    etag = response.get("ETag", "")
    response.content = gzipped(response.content, etag)
    response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))
    if etag:
        response["ETag"] = weak(etag)
    return response
