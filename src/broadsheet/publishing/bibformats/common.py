"""What every reader returns, and the checks an entry passes before it may become a Reference."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# Pasted text above this is refused before any parsing: bibtexparser reads about 1 MB in
# 2-3 s here, so a 5 MB file would hold a worker for half a minute (see docs/decisions/0036).
MAX_CHARS = 512_000
# A value longer than this is never a field of a reference (the longest column is 1,000).
MAX_VALUE = 20_000

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
_NOT_SLUG = re.compile(r"[^-a-zA-Z0-9_]+")
_web_address = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class ReadEntry:
    """One entry read: the Reference's fields, what the source had that a Reference does
    not keep, and what was changed on the way in (a key made usable, an address dropped)."""

    fields: dict[str, Any]
    line: int
    label: str
    unknown: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return str(self.fields.get("title", ""))


@dataclass(frozen=True)
class ReadResult:
    """`format` is "BibTeX", "RIS" or "CSL-JSON" ("" when the text was not recognised);
    `problems` are sentences starting "line N:" for entries that could not be read (they are
    not among `entries`)."""

    format: str
    entries: tuple[ReadEntry, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return bool(self.entries) and not self.problems


def usable_key(key: str) -> tuple[str, str]:
    """A citation key a Reference can store (letters, digits, '-' and '_'; at most 80), and a
    note when it had to change."""
    key = key.strip()
    if not key or (_SLUG.match(key) and len(key) <= 80):
        return key, ""
    changed = _NOT_SLUG.sub("-", key).strip("-")[:80]
    return changed, f"The key {key!r} is kept as {changed!r} (keys use letters, digits, - and _)."


def checked(fields: dict[str, Any], *, line: int, label: str) -> tuple[list[str], list[str]]:
    """The problems that keep an entry out (no title, a value too long for its column) and
    notes on what was changed to let it in."""
    from broadsheet.publishing.models import Reference

    problems: list[str] = []
    notes: list[str] = []
    where = f"line {line}: {label}"
    if not str(fields.get("title", "")).strip():
        problems.append(f"{where} has no title; a reference needs one.")
    key, note = usable_key(str(fields.get("key", "")))
    if note:
        fields["key"] = key
        notes.append(note)
    url = str(fields.get("url", ""))
    if url:
        try:
            _web_address(url)
        except ValidationError:
            del fields["url"]
            notes.append(
                f"The address {url[:100]!r} is not a web address (http or https) and was not kept."
            )
    for name, value in fields.items():
        limit = getattr(Reference._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.append(
                f"{where}: the {name.replace('_', ' ')} is {len(value):,} characters long; "
                f"a reference keeps at most {limit:,}."
            )
    return problems, notes


def one_line(value: str) -> str:
    """Line-based formats (RIS) cannot hold a line break inside a value: a note's newline
    would otherwise start a new tag."""
    return " ".join(str(value).split())
