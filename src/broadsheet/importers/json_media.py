"""The JSON export's "media" section back into the library (docs/export-format.md).

The export names the files; it does not carry them. A record is restored when its file is
in this site's storage (a restore onto the same media folder or bucket, or one copied
there first); a record whose file is not is reported and skipped. The names come from the
file and are checked before storage sees them: library/ or imports/, plain path segments.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction

from broadsheet.importers.json_export import MEDIA_FIELDS
from broadsheet.importers.json_records import IdMap, field_values
from broadsheet.importers.progress import ImportReport
from broadsheet.media.images import MIME_FORMATS
from broadsheet.media.models import MediaItem
from broadsheet.media.services import queue_variants

_NAME = re.compile(r"^(?:library|imports)(?:/[A-Za-z0-9_][A-Za-z0-9._-]{0,120}){1,6}$")


def stored_name(value: object) -> str | None:
    """A storage name from the file, if it is one the library could have written."""
    if isinstance(value, str) and _NAME.match(value) and ".." not in value:
        return value
    return None


def _variants(value: Any) -> dict[str, dict[str, str]]:
    """The variants whose names are sound and whose files are here; {} otherwise (the
    worker then makes them again)."""
    if not isinstance(value, dict):
        return {}
    kept: dict[str, dict[str, str]] = {}
    for width, names in value.items():
        if not (isinstance(width, str) and width.isdigit() and isinstance(names, dict)):
            return {}
        for mime, name in names.items():
            if mime not in MIME_FORMATS or stored_name(name) is None:
                return {}
            if not default_storage.exists(name):
                return {}
            kept.setdefault(width, {})[mime] = name
    return kept


def media_restore(
    *, ids: IdMap, report: ImportReport, index: int, row: dict[str, Any], keep_id: bool
) -> None:
    where = f"media[{index}]"
    values = field_values(MediaItem, MEDIA_FIELDS, row, where)
    source_id = values.pop("id")
    if source_id in ids.load("media"):
        report.add("library images", new=False)
        return
    name = stored_name(values["file"])
    if name is None:
        report.skip(where, f"its file name {values['file']!r} is not one the library writes")
        return
    existing = MediaItem.objects.filter(file=name).first()
    if existing is None and not default_storage.exists(name):
        report.skip(where, f"its file {name} is not in this site's media: copy it there first")
        return
    if existing is None:
        values.update(file=name, variants=_variants(values["variants"]))
        values["uploader_id"] = ids.load("account").get(values["uploader_id"] or 0)
        existing = MediaItem(**values, **({"pk": source_id} if keep_id else {}))
        existing.save(force_insert=True)
        if not existing.variants and not existing.animated:
            transaction.on_commit(partial(queue_variants, existing.pk))
        report.add("library images")
    else:
        report.add("library images", new=False)
    ids.remember("media", [(source_id, existing.pk)])
