"""Fetching an image from another site for an import, without letting the file steer the
server: an export names the addresses, and an address can point anywhere.

The addresses are checked and the connection pinned by core.safefetch (public addresses
only, redirects limited and checked again, time and size limits). The answer must be an
image by its Content-Type, arrive within the size and time limits, and open in Pillow as a PNG, JPEG, GIF or WebP within its pixel limit.

`settings.IMPORT_MEDIA_ALLOW_LOOPBACK` (tests only; no environment variable sets it) lets
127.0.0.1 and ::1 through, so tests can serve images from a real local HTTP server.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from broadsheet.core import safefetch
from broadsheet.core.safefetch import FetchRefused

FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
__all__ = ["FORMATS", "FetchRefused", "Fetched", "Limits", "fetch_image"]


@dataclass(frozen=True)
class Fetched:
    data: bytes
    extension: str  # from what Pillow found, never from the address


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    timeout: float  # seconds for the whole fetch, redirects included
    allow_loopback: bool = False

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.IMPORT_MEDIA_MAX_MB * 1024 * 1024,
            timeout=float(settings.IMPORT_MEDIA_TIMEOUT),
            allow_loopback=settings.IMPORT_MEDIA_ALLOW_LOOPBACK,
        )

    def safe(self) -> safefetch.Limits:
        return safefetch.Limits(
            max_bytes=self.max_bytes,
            timeout=self.timeout,
            allow_local=self.allow_loopback,
            setting="IMPORT_MEDIA_TIMEOUT",
            size_setting="IMPORT_MEDIA_MAX_MB",
        )


_HEADERS = {
    "User-Agent": "Broadsheet import (copying a post's images)",
    "Accept": "image/*",
    "Accept-Encoding": "identity",
}


def fetch_image(url: str, *, limits: Limits) -> Fetched:
    answer = safefetch.fetch(
        url, limits=limits.safe(), headers=_HEADERS, want_body=lambda status, headers: (
            status == 200 and _kind(headers).startswith("image/")
        ),
    )  # fmt: skip
    if answer.status != 200:
        raise FetchRefused(f"the server answered {answer.status}")
    if not _kind(answer.headers).startswith("image/"):
        raise FetchRefused(
            f"it is not an image (Content-Type {_kind(answer.headers) or 'missing'})"
        )
    return Fetched(data=answer.body, extension=_image_format(answer.body))


def _kind(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _image_format(data: bytes) -> str:
    """The file's own format, checked by decoding it; a decompression bomb is refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FetchRefused("it is not an image Pillow can read, or too many pixels") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise FetchRefused(f"the image is damaged ({safefetch.reason(error)})") from None
    if kind not in FORMATS:
        raise FetchRefused(f"{kind or 'its'} format is not kept (PNG, JPEG, GIF and WebP are)")
    return FORMATS[kind]
