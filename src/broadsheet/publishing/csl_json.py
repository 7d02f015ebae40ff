"""A Reference as a CSL-JSON item and back: the one mapping every citation format goes through.

CSL-JSON (citationstyles.org's input format) is the pivot: the CSL processor formats items, and
BibTeX, RIS and the downloads are read into and written out of items. `reference_fields` keeps
every field a Reference stores and names the item's other fields, so a reader can be told what
was not kept.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from broadsheet.publishing.models import Reference

# Reference column → CSL-JSON variable, for the plain text ones.
TEXT_VARIABLES = {
    "title": "title",
    "original_title": "original-title",
    "container_title": "container-title",
    "publisher": "publisher",
    "place": "publisher-place",
    "volume": "volume",
    "issue": "issue",
    "pages": "page",
    "url": "URL",
    "doi": "DOI",
    "isbn": "ISBN",
    "archive": "archive",
    "archive_location": "archive_location",
    "note": "note",
}
NAME_VARIABLES = ("author", "editor", "translator")
_NAME_PARTS = ("family", "given", "literal")
_ISSUED = re.compile(r"^(\d{3,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def date_parts(text: str) -> dict[str, Any] | None:
    """'1998-03' → {"date-parts": [[1998, 3]]}; other text is kept as CSL's literal date."""
    text = text.strip()
    if not text:
        return None
    match = _ISSUED.match(text)
    if match is None:
        return {"literal": text}
    return {"date-parts": [[int(part) for part in match.groups() if part]]}


def date_text(value: Any) -> str:
    """CSL's date object → 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (or its literal or raw text)."""
    if not isinstance(value, dict):
        return ""
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(p) for p in parts[0][:3]]
        except (TypeError, ValueError):
            return ""
        return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
    return str(value.get("literal") or value.get("raw") or "").strip()


def reference_to_csl(ref: Reference) -> dict[str, Any]:
    """The item for the CSL processor and the downloads; its id is the citation key."""
    item: dict[str, Any] = {"id": ref.key, "type": ref.kind}
    for name in NAME_VARIABLES:
        names = (ref.contributors or {}).get(name)
        if names:
            item[name] = [dict(n) for n in names]
    for column, variable in TEXT_VARIABLES.items():
        value = getattr(ref, column)
        if value:
            item[variable] = value
    issued = date_parts(ref.issued)
    if issued:
        item["issued"] = issued
    if ref.accessed:
        accessed = ref.accessed
        item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    return item


def _names(value: Any) -> list[dict[str, str]]:
    names = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, dict):
            name = {k: str(entry[k]).strip() for k in _NAME_PARTS if entry.get(k)}
            if name:
                names.append(name)
    return names


def reference_fields(item: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A CSL-JSON item → the Reference's fields, and the names of the item's variables that
    have no place in a Reference (reported to the writer, not silently dropped)."""
    from broadsheet.publishing.models import Reference

    known_kinds = set(Reference.Kind.values)
    fields: dict[str, Any] = {
        "kind": item.get("type") if item.get("type") in known_kinds else "book"
    }
    unknown: list[str] = []
    if item.get("type") and item.get("type") not in known_kinds:
        unknown.append(f"type {item['type']!r} (kept as a book)")
    if item.get("id"):
        fields["key"] = str(item["id"])
    contributors = {name: _names(item.get(name)) for name in NAME_VARIABLES}
    fields["contributors"] = {k: v for k, v in contributors.items() if v}
    by_variable = {variable: column for column, variable in TEXT_VARIABLES.items()}
    for variable, value in item.items():
        if variable in ("id", "type", *NAME_VARIABLES):
            continue
        if variable in by_variable:
            fields[by_variable[variable]] = str(value).strip()
        elif variable == "issued":
            fields["issued"] = date_text(value)
        elif variable == "accessed":
            fields["accessed"] = _day(date_text(value))
        else:
            unknown.append(variable)
    return fields, unknown


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
