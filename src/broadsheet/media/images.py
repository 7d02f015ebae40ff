"""Images in and out of the library with Pillow: what is accepted, how it is cleaned, and the
responsive variants.

An upload is identified from its bytes (never its name or the browser's Content-Type), its
dimensions checked against MEDIA_MAX_PIXELS from the header before a pixel is decoded (a small
file can declare 50,000 × 50,000), then decoded in full — a truncated file is refused here, not
later on a page — turned the way its EXIF orientation says, and written again without EXIF,
XMP or comments (GPS positions among them). The colour profile is kept: it carries no
personal data and the colours depend on it.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError, features

# Pillow's format name → (MIME type, file extension).
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
if features.check("avif"):
    FORMATS["AVIF"] = ("image/avif", "avif")
MIME_FORMATS = {mime: name for name, (mime, _) in FORMATS.items()}
VARIANT_WIDTHS = (480, 800, 1200, 1600)
_QUALITY = {"JPEG": 85, "WEBP": 80, "AVIF": 60}


# What Pillow's decoders raise on damaged bytes: OSError ("truncated"), SyntaxError (a bad
# PNG chunk), ValueError, EOFError, struct.error — and RuntimeError from the AVIF decoder
# (found by tests/media/test_fuzz.py). Any of them means the file cannot be read.
_DECODER_ERRORS = (OSError, SyntaxError, ValueError, EOFError, RuntimeError, struct.error,
                   IndexError, KeyError, TypeError, ZeroDivisionError)  # fmt: skip


class ImageRefused(Exception):
    """Why an upload is not taken, in words for the person who sent it."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    format: str  # Pillow's name: JPEG, PNG, WEBP, GIF, AVIF
    width: int
    height: int
    animated: bool

    @property
    def mime_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def too_large() -> str:
    return gettext("This file is larger than %(limit)s MB, the limit.") % {
        "limit": settings.MEDIA_MAX_MB
    }


def accepted_names() -> str:
    names = [name if name != "WEBP" else "WebP" for name in FORMATS]
    # Translators: the last of a list of image formats ("PNG, JPEG, GIF or WebP").
    return gettext("%(names)s or %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


@contextmanager
def _opened(source: IO[bytes]) -> Iterator[Image.Image]:
    """Open (header only) as one of our formats, dimensions checked before any decoding."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(None) from None
        except (UnidentifiedImageError, *_DECODER_ERRORS):
            raise ImageRefused(
                gettext("This file is not an image we can use: upload a %(formats)s file.")
                % {"formats": accepted_names()}
            ) from None
    with image:
        width, height = image.size
        if width < 1 or height < 1 or width * height > settings.MEDIA_MAX_PIXELS:
            raise _too_many_pixels(image.size)
        yield image


def _too_many_pixels(size: tuple[int, int] | None) -> ImageRefused:
    limit = settings.MEDIA_MAX_PIXELS / 1_000_000
    numbers = {"limit": f"{limit:g}"}
    if size:
        said = gettext(
            "This image is %(width)s × %(height)s pixels: the limit is %(limit)s megapixels. "
            "Make it smaller and upload it again."
        )
        numbers |= {
            "width": number_format(size[0], force_grouping=True),
            "height": number_format(size[1], force_grouping=True),
        }
    else:
        said = gettext(
            "This image declares far too many pixels: the limit is %(limit)s megapixels. "
            "Make it smaller and upload it again."
        )
    return ImageRefused(said % numbers)


@dataclass(frozen=True)
class Found:
    format: str
    width: int
    height: int
    animated: bool

    @property
    def mime_type(self) -> str:
        return FORMATS[self.format][0]


def inspect(source: IO[bytes]) -> Found:
    """What a stored file is, from its header (an import's copy, kept as fetched)."""
    with _opened(source) as image:
        animated = bool(getattr(image, "is_animated", False))
        return Found(str(image.format), image.width, image.height, animated)


def clean_upload(data: bytes) -> CleanImage:
    """The upload, checked and written again without its metadata; ImageRefused if not."""
    if len(data) > settings.MEDIA_MAX_MB * 1024 * 1024:
        raise ImageRefused(too_large())
    with _opened(io.BytesIO(data)) as image:
        kind = str(image.format)
        try:
            animated = bool(getattr(image, "is_animated", False))
            if animated:
                _check_frames(image)
            image.load()
            frames = _all_frames(image) if animated else [ImageOps.exif_transpose(image)]
        except _DECODER_ERRORS:
            raise ImageRefused(
                gettext(
                    "This image is damaged or incomplete (was the upload cut short?): it cannot "
                    "be read to the end."
                )
            ) from None
        profile = image.info.get("icc_profile")
        out = io.BytesIO()
        _save(frames, out, kind, icc_profile=profile, duration=image.info.get("duration"),
              loop=image.info.get("loop"))  # fmt: skip
        return CleanImage(out.getvalue(), kind, frames[0].width, frames[0].height, animated)


def _check_frames(image: Image.Image) -> None:
    """An animation is held whole while it is written again: its frames together must stay
    within the pixel limit (a small GIF can declare thousands of large frames)."""
    frames = int(getattr(image, "n_frames", 1))
    if image.width * image.height * frames > settings.MEDIA_MAX_PIXELS:
        limit = settings.MEDIA_MAX_PIXELS / 1_000_000
        raise ImageRefused(
            gettext(
                "This animation has %(frames)s frames of %(width)s × %(height)s pixels: more "
                "than the limit of %(limit)s megapixels in all."
            )
            % {
                "frames": number_format(frames, force_grouping=True),
                "width": number_format(image.width, force_grouping=True),
                "height": number_format(image.height, force_grouping=True),
                "limit": f"{limit:g}",
            }
        )


def _all_frames(image: Image.Image) -> list[Image.Image]:
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frames.append(image.copy())
    return frames


def _save(
    frames: list[Image.Image], out: IO[bytes], kind: str, *, icc_profile: bytes | None = None,
    **animation: object,
) -> None:  # fmt: skip
    first = frames[0]
    options: dict[str, object] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if kind in _QUALITY:
        options["quality"] = _QUALITY[kind]
    if kind == "JPEG" and first.mode not in ("RGB", "L", "CMYK"):
        first = first.convert("RGB")
    if len(frames) > 1:
        options.update({k: v for k, v in animation.items() if v is not None})
        options.update(save_all=True, append_images=frames[1:])
    # No exif= and no xmp=: Pillow writes neither unless given them.
    first.save(out, format=kind, **options)


def variants(source: IO[bytes], *, widths: tuple[int, ...] = VARIANT_WIDTHS) -> Iterator[
    tuple[int, str, bytes]
]:  # fmt: skip
    """(width, MIME type, bytes) for each width narrower than the image, in WebP and in the
    image's own format (but a GIF's). A JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) still wider
    than the widest variant (Pillow's draft), so a 24-megapixel photo never sits whole in
    memory; the narrower sizes are made from the wider ones."""
    with _opened(source) as image:
        kind = str(image.format)
        wanted = sorted((w for w in widths if w < image.width), reverse=True)
        if not wanted:
            return
        if kind == "JPEG":
            image.draft("RGB", (wanted[0], wanted[0] * image.height // image.width))
        image.load()
        current: Image.Image = image
        if kind != "JPEG":
            current = ImageOps.exif_transpose(image)  # already applied at upload; harmless
        if current.mode not in ("RGB", "RGBA", "L", "LA"):
            current = current.convert("RGBA" if "transparency" in image.info else "RGB")
        for width in wanted:
            height = max(1, round(current.height * width / current.width))
            current = current.resize((width, height), Image.Resampling.LANCZOS,
                                      reducing_gap=3.0)  # fmt: skip
            # A GIF's own format is a poor one for photographs: its variants are WebP only.
            for out_kind in dict.fromkeys(("WEBP", kind if kind != "GIF" else "WEBP")):
                out = io.BytesIO()
                frame = current if out_kind != "JPEG" else current.convert("RGB")
                _save([frame], out, out_kind, icc_profile=image.info.get("icc_profile"))
                yield width, FORMATS[out_kind][0], out.getvalue()
