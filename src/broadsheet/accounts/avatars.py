"""Uploaded profile pictures (the photo, and the header image fediverse profiles show above
it): capped in size before they are read, decoded by Pillow with a pixel limit (a small file
can decode to gigabytes), PNG, JPEG, WebP or GIF only, and written again within a box (the
photo 512 × 512 px, the header 1,500 × 500 px), without EXIF (camera, GPS position) or other
metadata.

The photo is shown beside every comment its owner writes, so what is stored is what we wrote.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000  # 5,000 × 5,000: about 100 MB once decoded
SIZE = 512
HEADER_BOX = (1500, 500)  # Mastodon's header size; other servers crop to a similar band
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
_WRITTEN_AS = {"PNG": "PNG", "GIF": "PNG", "JPEG": "JPEG", "WEBP": "WEBP"}

TOO_LARGE = _(
    "This photo is larger than 5 MB. Choose a smaller one (it is shown at most 512 pixels wide)."
)
HEADER_TOO_LARGE = _(
    "This image is larger than 5 MB. Choose a smaller one (it is stored at most 1,500 pixels wide)."
)
NOT_AN_IMAGE = _("This file is not a photo we can read. Upload a PNG, JPEG, WebP or GIF image.")
TOO_MANY_PIXELS = _(
    "This image is too large to process (more than 25 megapixels). Choose a smaller one."
)


class UploadLimit(FileUploadHandler):
    """Stops reading an uploaded file past `limit` bytes (the rest of the form is still read),
    and remembers which field it was, so the form can say so next to it."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int = MAX_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large: set[str] = set()
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large.add(self.field_name)
            raise SkipFile()
        return raw_data  # on to the next handler, which keeps it

    def file_complete(self, file_size: int) -> None:
        return None


def avatar_clean(upload: UploadedFile) -> SimpleUploadedFile:
    """The photo as we store it, or a ValidationError with a sentence for the person."""
    return picture_clean(upload, box=(SIZE, SIZE), name="avatar")


def header_clean(upload: UploadedFile) -> SimpleUploadedFile:
    """The header image as we store it, or a ValidationError with a sentence."""
    return picture_clean(upload, box=HEADER_BOX, name="header")


def picture_clean(upload: UploadedFile, *, box: tuple[int, int], name: str) -> SimpleUploadedFile:
    """An uploaded picture written again within `box`, or a ValidationError."""
    if upload.size is None or upload.size > MAX_BYTES:
        too_large = HEADER_TOO_LARGE if name == "header" else TOO_LARGE
        raise forms.ValidationError(too_large, code="too_large")
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload, formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
                kind = str(image.format)
                # JPEG decodes at a fraction of its size
                image.draft("RGB", (box[0] * 2, box[1] * 2))
                photo = _resized(image, box)
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            raise forms.ValidationError(NOT_AN_IMAGE, code="invalid") from None
        except (OSError, ValueError, SyntaxError, EOFError):  # truncated or damaged data
            raise forms.ValidationError(NOT_AN_IMAGE, code="invalid") from None
    written = _WRITTEN_AS[kind]
    buffer = io.BytesIO()
    photo.save(buffer, format=written, **({"quality": 85} if written != "PNG" else {}))
    extension = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[written]
    return SimpleUploadedFile(
        f"{name}.{extension}",
        buffer.getvalue(),
        content_type=f"image/{extension.replace('jpg', 'jpeg')}",
    )


def _resized(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    image.seek(0)  # an animated GIF or WebP keeps its first frame
    upright = ImageOps.exif_transpose(image) or image  # the camera's rotation, then no EXIF
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB"
    photo = upright.convert(mode)
    photo.thumbnail(box, Image.Resampling.LANCZOS)
    photo.info = {}  # no EXIF, XMP, comments, ICC or text chunks are written back
    return photo


class AvatarField(forms.ImageField):
    """The profile photo field of the profile page and the admin."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", _("PNG, JPEG, WebP or GIF, up to 5 MB; shown at most 512 pixels wide.")
        )
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/png,image/jpeg,image/webp,image/gif")

    def to_python(self, data: Any) -> Any:
        if data in self.empty_values:
            return None
        return avatar_clean(data)


class HeaderField(AvatarField):
    """The header image field: the photo's rules, a wider box."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            _(
                "PNG, JPEG, WebP or GIF, up to 5 MB; stored at most 1,500 × 500 pixels. Shown "
                "above your profile where others follow you from the fediverse (Mastodon and "
                "others)."
            ),
        )
        super().__init__(*args, **kwargs)

    def to_python(self, data: Any) -> Any:
        if data in self.empty_values:
            return None
        return header_clean(data)
