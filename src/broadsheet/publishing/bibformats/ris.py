"""RIS records ↔ Reference fields, with rispy reading and writing the tags.

rispy reads what it can and drops the rest without a word (text outside a record, a record
with no `ER` line), so the text is first cut into records here, line by line, and each record
read on its own: every entry and every problem keeps its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import rispy

from broadsheet.publishing.bibformats.common import ReadEntry, checked, one_line
from broadsheet.publishing.csl_json import date_parts

if TYPE_CHECKING:
    from broadsheet.publishing.models import Reference

# rispy's tags, and two it does not name: ED (editor) and AV (the archive that holds an item).
MAPPING = {**rispy.TAG_KEY_MAPPING, "ED": "editors", "AV": "archive"}
LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "ED"]
_TAG_OF = {name: tag for tag, name in MAPPING.items()}
_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_KINDS = {
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter",
    "JOUR": "article-journal", "EJOUR": "article-journal", "JFULL": "article-journal",
    "MGZN": "article-magazine", "NEWS": "article-newspaper", "ELEC": "webpage",
    "BLOG": "post-weblog", "MANSCPT": "manuscript", "UNPB": "manuscript", "RPRT": "report",
    "THES": "thesis", "CPAPER": "paper-conference", "CONF": "paper-conference",
}  # fmt: skip
_WRITE = {
    "book": "BOOK", "chapter": "CHAP", "article-journal": "JOUR", "article-magazine": "MGZN",
    "article-newspaper": "NEWS", "webpage": "ELEC", "post-weblog": "BLOG",
    "manuscript": "MANSCPT", "report": "RPRT", "thesis": "THES", "paper-conference": "CPAPER",
}  # fmt: skip
_ROLES = {
    "author": ("authors", "first_authors"),
    "editor": ("editors", "secondary_authors"),
    "translator": ("subsidiary_authors",),
}
_TEXT = {
    "title": ("title", "primary_title"),
    "container_title": ("secondary_title", "journal_name", "alternate_title3", "alternate_title2"),
    "original_title": ("original_publication",),
    "publisher": ("publisher",),
    "place": ("place_published",),
    "volume": ("volume",),
    "issue": ("number",),
    "doi": ("doi",),
    "archive": ("archive",),
    "archive_location": ("call_number",),
    "key": ("id",),
}
_ISBN = re.compile(r"^(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]$")


def read_ris(text: str) -> tuple[list[ReadEntry], list[str]]:
    entries: list[ReadEntry] = []
    problems: list[str] = []
    for line, record, note in _records(text, problems):
        label = f"TY  - {record[0][1]}" if record and record[0][0] == "TY" else "record"
        parsed = rispy.loads(
            "\n".join(f"{tag}  - {value}" for tag, value in record) + "\nER  - \n",
            mapping=MAPPING,
            list_tags=LIST_TAGS,
        )
        fields, unknown = record_fields(parsed[0] if parsed else {})
        refused, notes = checked(fields, line=line, label=label)
        if refused:
            problems += refused
        else:
            entries.append(
                ReadEntry(fields, line, label, tuple(unknown), tuple(filter(None, [note, *notes])))
            )
    return entries, problems


def _records(text: str, problems: list[str]) -> Iterable[tuple[int, list[tuple[str, str]], str]]:
    """(first line, [(tag, value)], a note) per record; text between records is a problem."""
    record: list[tuple[str, str]] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        match = _LINE.match(raw.rstrip())
        if match and match.group(1) == "TY":
            if record:
                yield (
                    start,
                    record,
                    "This entry had no closing ER line; it ends where the next begins.",
                )
            record, start = [("TY", (match.group(2) or "").strip())], number
        elif match and match.group(1) == "ER":
            if record:
                yield start, record, ""
            record = []
        elif match and record:
            record.append((match.group(1), (match.group(2) or "").strip()))
        elif record and raw.strip():
            tag, value = record[-1]  # a long value wrapped onto the next line
            record[-1] = (tag, f"{value} {raw.strip()}")
        elif raw.strip():
            problems.append(
                f"line {number}: this line is outside any entry (an entry starts with "
                "'TY  - ' and ends with 'ER  - ')."
            )
    if record:
        yield start, record, "This entry had no closing ER line; it was read to the end."


def record_fields(record: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """One rispy record → the Reference's fields, and the tags not kept."""
    from broadsheet.publishing.citations import parse_name

    used = {"type_of_reference", "unknown_tag"}
    kind = str(record.get("type_of_reference", "")).strip().upper()
    fields: dict[str, Any] = {"kind": _KINDS.get(kind, "book")}
    unknown = [] if kind in _KINDS else [f"TY {kind or '(none)'} (kept as a book)"]
    fields["contributors"] = {}
    for role, names in _ROLES.items():
        found = [n for name in names for n in record.get(name, [])]
        if found:
            fields["contributors"][role] = [parse_name(str(n)) for n in found if str(n).strip()]
            used.update(names)
    for column, names in _TEXT.items():
        present = [n for n in names if str(record.get(n, "")).strip()]
        if present:
            fields[column] = str(record[present[0]]).strip()
            used.add(present[0])
    fields["issued"] = _issued(record)
    used.update(("date", "year", "publication_year"))
    fields["pages"] = "–".join(
        p
        for p in (
            str(record.get("start_page", "")).strip(),
            str(record.get("end_page", "")).strip(),
        )
        if p
    )
    used.update(("start_page", "end_page"))
    urls = [u for u in record.get("urls", []) if str(u).strip()]
    if urls:
        fields["url"] = str(urls[0]).strip()
        used.add("urls")
        unknown += [f"UR {u} (only the first address is kept)" for u in urls[1:]]
    if record.get("notes"):
        fields["note"] = " ".join(str(n).strip() for n in record["notes"])
        used.add("notes")
    if _ISBN.match(str(record.get("issn", "")).strip()):
        fields["isbn"] = str(record["issn"]).strip()
        used.add("issn")
    if record.get("access_date"):
        fields["accessed"] = _day(str(record["access_date"]))
        if fields["accessed"] is not None:
            used.add("access_date")
    unknown += [
        f"{_TAG_OF.get(name, name)} ({name.replace('_', ' ')})"
        for name in record
        if name not in used
    ]
    unknown += [f"{tag}" for tag in record.get("unknown_tag", {})]
    return fields, unknown


def _issued(record: dict[str, Any]) -> str:
    """RIS dates are 'YYYY/MM/DD/other' (PY, Y1, DA): the most precise one wins; a date that is
    not numbers ('Spring 1998') is kept as written when there is no other."""
    numeric: list[str] = []
    literal = ""
    for name in ("year", "publication_year", "date"):
        raw = str(record.get(name, "")).strip()
        parts = [p.strip() for p in raw.split("/")[:3]]
        if parts[0].isdigit() and len(parts[0]) in (3, 4):
            numbers = [parts[0]]
            for part in parts[1:]:
                if not part.isdigit() or not 0 < int(part) < 32:
                    break
                numbers.append(f"{int(part):02d}")
            numeric.append("-".join(numbers))
        elif raw:
            literal = literal or raw
    return max(numeric, key=len) if numeric else literal


def _day(text: str) -> date | None:
    parts = [p for p in text.replace("-", "/").split("/") if p.strip()]
    try:
        return date(*(int(p) for p in parts[:3])) if len(parts) >= 3 else None
    except ValueError:
        return None


# --- writing ------------------------------------------------------------------------------


class _Writer(rispy.RisWriter):
    def set_header(self, count: int) -> str:
        return ""  # no "1." before each record: not every reader skips it


def to_ris(references: Iterable[Reference]) -> str:
    records = [_record(ref) for ref in references]
    return rispy.dumps(records, implementation=_Writer, mapping=MAPPING, list_tags=LIST_TAGS)


def _record(ref: Reference) -> dict[str, Any]:
    record: dict[str, Any] = {"type_of_reference": _WRITE.get(ref.kind, "GEN")}
    contributors = ref.contributors or {}
    for role, names in _ROLES.items():
        if contributors.get(role):
            record[names[0]] = [one_line(_name(n)) for n in contributors[role]]
    for column, names in _TEXT.items():
        if getattr(ref, column):
            record[names[0]] = one_line(getattr(ref, column))
    issued = date_parts(ref.issued or "")
    if issued and "date-parts" in issued:
        parts = issued["date-parts"][0]
        record["year"] = str(parts[0])
        if len(parts) > 1:
            record["date"] = "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
    elif ref.issued:
        record["year"] = one_line(ref.issued)
    if ref.pages:
        start, _, end = ref.pages.replace("--", "–").partition("–")
        record["start_page"] = one_line(start)
        if end:
            record["end_page"] = one_line(end)
    for column, name in (("url", "urls"), ("note", "notes")):
        if getattr(ref, column):
            record[name] = [one_line(getattr(ref, column))]
    if ref.isbn:
        record["issn"] = one_line(ref.isbn)
    if ref.accessed:
        record["access_date"] = ref.accessed.strftime("%Y/%m/%d")
    return record


def _name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return ", ".join(p for p in (name.get("family", ""), name.get("given", "")) if p)
