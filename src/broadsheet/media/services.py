"""Writes to the media library. Each is an action (core.effects): an image a post shows is
re-rendered into it by publishing when it changes (the `media` effect)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify

from broadsheet.accounts.models import User
from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.core.sanitize import without_nul
from broadsheet.media.images import CleanImage, ImageRefused, clean_upload, inspect, variants
from broadsheet.media.models import FOLDER, MediaItem

__all__ = ["ImageRefused", "media_delete", "media_update", "media_upload", "upload_image"]


def safe_name(name: str) -> str:
    """The uploaded file's name as shown in the library: no folders, no markup, no control
    characters, at most 120 characters (the stored file gets a name of our own)."""
    name = without_nul(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())
    stem, dot, ext = name.rpartition(".")
    stem = slugify(stem if dot else name) or "image"
    ext = slugify(ext)[:8] if dot else ""
    return get_valid_filename(f"{stem[:100]}.{ext}" if ext else stem[:100])


@dataclass(frozen=True)
class StoredImage:
    """An upload checked, cleaned and written to storage, not yet in the library."""

    name: str  # in storage
    shown: str  # the uploaded file's name, made safe
    image: CleanImage


def media_store(*, image: CleanImage, name: str, now: datetime | None = None) -> StoredImage:
    """Write a checked, cleaned upload to storage, outside any transaction: SQLite's write
    lock must not wait on a slow disk or bucket."""
    now = now or timezone.now()
    shown = safe_name(name)
    # A name never used before, even after a deletion: pages and caches that showed an old
    # image at an address must never show another one there (decision 0025).
    stem = f"{shown.rsplit('.', 1)[0][:80]}-{secrets.token_hex(4)}"
    stored = default_storage.save(
        f"{FOLDER}/{now:%Y/%m}/{stem}.{image.extension}", ContentFile(image.data)
    )
    return StoredImage(stored, shown, image)


def upload_image(
    *, data: bytes | None = None, image: CleanImage | None = None, name: str,
    uploader: User | None, alt_text: str = "", caption: str = "", credit: str = "",
) -> MediaItem:  # fmt: skip
    """An upload into the library: checked and cleaned (unless `image` is, already; decoding
    a large photo takes a while, so before any transaction), stored, then recorded (the file
    removed again if that fails). ImageRefused, with nothing stored, if it is not usable."""
    if image is None:
        image = clean_upload(data or b"")
    stored = media_store(image=image, name=name)
    try:
        return media_upload(stored=stored, uploader=uploader, alt_text=alt_text,
                            caption=caption, credit=credit)  # fmt: skip
    except BaseException:
        default_storage.delete(stored.name)
        raise


@action
def media_upload(
    *, stored: StoredImage, uploader: User | None, alt_text: str = "", caption: str = "",
    credit: str = "",
) -> MediaItem:  # fmt: skip
    """Record a stored upload in the library; the worker then writes its variants."""
    clean = stored.image
    item = MediaItem.objects.create(
        file=stored.name,
        original_name=stored.shown,
        mime_type=clean.mime_type,
        width=clean.width,
        height=clean.height,
        size=len(clean.data),
        animated=clean.animated,
        alt_text=_text(alt_text, 1000),
        caption=_text(caption, 1000),
        credit=_text(credit, 300),
        uploader=uploader,
    )
    transaction.on_commit(lambda: queue_variants(item.pk))
    effects.declare(effects.MEDIA, [item.file.name])
    return item


def queue_variants(item_id: int) -> None:
    """Have the worker write the image's variants (after the commit that recorded it)."""
    from broadsheet.media.tasks import make_variants

    make_variants.enqueue(item_id)


def _text(value: str, limit: int) -> str:
    return " ".join(without_nul(value).split())[:limit]


@action
def media_update(*, item: MediaItem, alt_text: str, caption: str, credit: str) -> MediaItem:
    """New alt text, caption or credit: every post showing the image shows them."""
    item.alt_text, item.caption, item.credit = (
        _text(alt_text, 1000), _text(caption, 1000), _text(credit, 300)
    )  # fmt: skip
    item.save(update_fields=["alt_text", "caption", "credit"])
    effects.declare(effects.MEDIA, [item.file.name])
    return item


@action
def media_delete(*, item: MediaItem) -> None:
    """Remove the image and its variants. A post still showing it keeps a plain image of the
    old address (broken): the studio names those posts before asking."""
    names = [item.file.name, *item.variant_names()]
    effects.declare(effects.MEDIA, [item.file.name])
    item.delete()
    transaction.on_commit(lambda: _remove(names))


def _remove(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def variants_write(*, item_id: int) -> int:
    """Write the responsive variants of one image and record them (the worker's task);
    returns how many files were written. The encoding happens outside any transaction."""
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None or item.variants or item.animated:
        return 0
    stem = item.file.name.rsplit(".", 1)[0]
    written: dict[str, dict[str, str]] = {}
    with default_storage.open(item.file.name, "rb") as source:
        for width, mime, data in variants(source):
            extension = mime.split("/")[1].replace("jpeg", "jpg")
            name = default_storage.save(f"{stem}-{width}w.{extension}", ContentFile(data))
            written.setdefault(str(width), {})[mime] = name
    names = [name for by_type in written.values() for name in by_type.values()]
    if written and not media_variants_save(item_id=item_id, variants=written):
        _remove(names)  # deleted, or done by another worker, meanwhile
        return 0
    return len(names)


@action
def media_variants_save(*, item_id: int, variants: dict[str, dict[str, str]]) -> bool:
    """Record an image's variants: the posts showing it gain their srcset."""
    saved = MediaItem.objects.filter(pk=item_id, variants={}).update(variants=variants)
    if saved:
        names = MediaItem.objects.filter(pk=item_id).values_list("file", flat=True)
        effects.declare(effects.MEDIA, names)
    return bool(saved)


def library_adopt(*, name: str, alt_text: str = "", caption: str = "", credit: str = "") -> bool:
    """A file an import copied into storage (importers.media, decision 0026) joins the
    library with the words its export gave it; True if it was added. The file is kept as
    fetched (it was public on the old site already); what cannot be opened as an image
    within the limits stays a plain file. Part of the import's own transaction: posts that
    show the image are rendered as figures once it commits (the `media` effect)."""
    if MediaItem.objects.filter(file=name).exists() or not default_storage.exists(name):
        return False
    try:
        with default_storage.open(name, "rb") as source:
            found = inspect(source)
    except ImageRefused:
        return False
    item = MediaItem.objects.create(
        file=name, original_name=safe_name(name), mime_type=found.mime_type,
        width=found.width, height=found.height, size=default_storage.size(name),
        animated=found.animated, alt_text=_text(alt_text, 1000), caption=_text(caption, 1000),
        credit=_text(credit, 300),
    )  # fmt: skip
    transaction.on_commit(lambda: queue_variants(item.pk))
    effects.declare(effects.MEDIA, [name])
    return True
