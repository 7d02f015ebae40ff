"""BibTeX (and biblatex) entries ↔ Reference fields, with bibtexparser 2 splitting the text."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)

from broadsheet.publishing.bibformats.common import ReadEntry, checked
from broadsheet.publishing.bibformats.latex import latex_to_text, text_to_latex
from broadsheet.publishing.csl_json import date_parts, date_text

if TYPE_CHECKING:
    from broadsheet.publishing.models import Reference

# bibtexparser logs each broken block as a warning; the reader reports them to the writer.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)

_KINDS = {
    "article": "article-journal",
    "book": "book", "mvbook": "book", "booklet": "book", "collection": "book",
    "mvcollection": "book", "proceedings": "book", "mvproceedings": "book", "reference": "book",
    "manual": "book",
    "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter",
    "suppbook": "chapter", "inreference": "chapter", "suppcollection": "chapter",
    "inproceedings": "paper-conference", "conference": "paper-conference",
    "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "report": "report", "techreport": "report",
    "unpublished": "manuscript", "manuscript": "manuscript",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "webpage": "webpage",
}  # fmt: skip
# biblatex's entrysubtype says which kind of periodical an @article or @online is in.
_SUBTYPES = {
    "magazine": "article-magazine",
    "newspaper": "article-newspaper",
    "blog": "post-weblog",
}
_WRITE = {
    "book": ("book", ""), "chapter": ("incollection", ""),
    "article-journal": ("article", ""), "article-magazine": ("article", "magazine"),
    "article-newspaper": ("article", "newspaper"), "webpage": ("online", ""),
    "post-weblog": ("online", "blog"), "manuscript": ("unpublished", ""),
    "report": ("techreport", ""), "thesis": ("phdthesis", ""),
    "paper-conference": ("inproceedings", ""),
}  # fmt: skip
_PUBLISHER_FIELD = {"thesis": "school", "report": "institution"}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_URL_COMMAND = re.compile(r"\\url\s*\{([^{}]*)\}")
# Field name in the source → Reference column, for plain text values, first one present wins.
_TEXT = {
    "title": ("title",),
    "original_title": ("origtitle",),
    "container_title": ("journaltitle", "journal", "booktitle", "maintitle"),
    "publisher": ("publisher", "school", "institution", "organization"),
    "place": ("address", "location"),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "isbn": ("isbn",),
    "archive": ("archive",),
    "archive_location": ("library", "archive_location"),
    "note": ("note",),
}
_NAMES = ("author", "editor", "translator")
_DATES = ("date", "year", "month", "day")


def read_bibtex(text: str) -> tuple[list[ReadEntry], list[str]]:
    library = bibtexparser.parse_string(text)
    problems = [_failure(block) for block in library.failed_blocks]
    entries: list[ReadEntry] = []
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        label = f"@{entry.entry_type}{{{entry.key}}}"
        fields, unknown = entry_fields(entry)
        refused, notes = checked(fields, line=line, label=label)
        if refused:
            problems += refused
        else:
            entries.append(ReadEntry(fields, line, label, tuple(unknown), tuple(notes)))
    return entries, problems


def _failure(block: ParsingFailedBlock) -> str:
    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"line {line}: a second entry has the key {block.key!r}; each needs its own."
    if isinstance(block, DuplicateFieldKeyBlock):
        names = ", ".join(sorted(block.duplicate_keys))
        entry = block.ignore_error_block
        key = entry.key if isinstance(entry, Entry) else "?"
        return f"line {line}: the entry {key!r} gives {names} more than once."
    reason = getattr(block.error, "abort_reason", "") or str(block.error)
    reason = " ".join(str(reason).split())[:200]
    return (
        f"line {line}: this entry could not be read ({reason or 'it is incomplete'}); "
        "check its braces, quotes and commas."
    )


def entry_fields(entry: Entry) -> tuple[dict[str, Any], list[str]]:
    """An entry's values → the Reference's fields, and the source's fields not kept."""
    values = {f.key.lower(): str(f.value) for f in entry.fields}
    used: set[str] = {"entrysubtype"}
    fields: dict[str, Any] = {"kind": _kind(entry.entry_type.lower(), values), "key": entry.key}
    unknown: list[str] = []
    if entry.entry_type.lower() not in _KINDS and entry.entry_type.lower() != "misc":
        unknown.append(f"entry type @{entry.entry_type} (kept as a book)")
    contributors = {}
    for role in _NAMES:
        if values.get(role):
            contributors[role] = names_from_bibtex(values[role])
            used.add(role)
    fields["contributors"] = contributors
    for column, sources in _TEXT.items():
        present = [s for s in sources if values.get(s, "").strip()]
        if present:
            fields[column] = latex_to_text(values[present[0]])
            used.add(present[0])
    for column in ("url", "doi"):
        if values.get(column, "").strip():
            fields[column] = _verbatim(values[column])
            used.add(column)
    if "url" not in fields and _URL_COMMAND.search(values.get("howpublished", "")):
        fields["url"] = _verbatim(_URL_COMMAND.search(values["howpublished"]).group(1))  # type: ignore[union-attr]
        used.add("howpublished")
    fields["issued"] = _issued(values)
    used.update(_DATES)
    if values.get("urldate"):
        fields["accessed"] = _day(values["urldate"])
        if fields["accessed"] is not None:
            used.add("urldate")
    unknown += [name for name in values if name not in used]
    return fields, unknown


def _kind(entry_type: str, values: dict[str, str]) -> str:
    subtype = _SUBTYPES.get(values.get("entrysubtype", "").strip().lower())
    if subtype and entry_type in ("article", "online", "misc"):
        return subtype
    if entry_type == "misc":
        return (
            "webpage" if values.get("url") or "\\url" in values.get("howpublished", "") else "book"
        )
    return _KINDS.get(entry_type, "book")


def _verbatim(value: str) -> str:
    """Addresses and DOIs are not LaTeX: only the braces and backslash escapes go."""
    return re.sub(r"\\([&%$#_~])", r"\1", value.replace("{", "").replace("}", "")).strip()


def names_from_bibtex(value: str) -> list[dict[str, str]]:
    names = []
    for raw in split_multiple_persons_names(value):
        raw = raw.strip()
        if _one_group(raw):
            names.append({"literal": latex_to_text(raw)})
            continue
        parts = parse_single_name_into_parts(raw, strict=False)
        family = latex_to_text(" ".join(parts.von + parts.last))
        given = latex_to_text(" ".join(parts.first + ([", ".join(parts.jr)] if parts.jr else [])))
        name = {"family": family, "given": given} if given else {"family": family}
        if family or given:
            names.append({k: v for k, v in name.items() if v})
    return names


def _one_group(text: str) -> bool:
    """Whether a name is one braced group ({World Bank}): an institution, kept whole."""
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _issued(values: dict[str, str]) -> str:
    if values.get("date", "").strip():
        text = latex_to_text(values["date"]).split("/")[0]
        return date_text(date_parts(text)) if text else ""
    year = latex_to_text(values.get("year", ""))
    month = _month(latex_to_text(values.get("month", "")))
    if not year:
        return ""
    if not month or not year.isdigit():
        return year
    day = latex_to_text(values.get("day", ""))
    return f"{year}-{month:02d}" + (
        f"-{int(day):02d}" if day.isdigit() and 0 < int(day) < 32 else ""
    )


def _month(text: str) -> int:
    text = text.strip().lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else 0
    return _MONTHS.index(text[:3]) + 1 if text[:3] in _MONTHS else 0


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(latex_to_text(text)[:10])
    except ValueError:
        return None


# --- writing ------------------------------------------------------------------------------


def to_bibtex(references: Iterable[Reference]) -> str:
    """The references as biblatex-flavoured BibTeX, UTF-8, read back to the same fields."""
    return "\n".join(_entry(ref, index) for index, ref in enumerate(references, 1))


def _entry(ref: Reference, index: int) -> str:
    entry_type, subtype = _WRITE.get(ref.kind, ("misc", ""))
    lines: list[tuple[str, str]] = []
    if subtype:
        lines.append(("entrysubtype", subtype))
    for role in _NAMES:
        names = (ref.contributors or {}).get(role)
        if names:
            lines.append((role, " and ".join(name_to_bibtex(n) for n in names)))
    for name, column in (("title", "title"), ("origtitle", "original_title")):
        if getattr(ref, column):
            lines.append((name, "{" + text_to_latex(getattr(ref, column)) + "}"))
    if ref.container_title:
        field = "journal" if ref.kind.startswith("article-") else "booktitle"
        lines.append((field, "{" + text_to_latex(ref.container_title) + "}"))
    if ref.publisher:
        lines.append((_PUBLISHER_FIELD.get(ref.kind, "publisher"), text_to_latex(ref.publisher)))
    lines += _dates(ref)
    for name, column in (("address", "place"), ("volume", "volume"), ("number", "issue"),
                         ("isbn", "isbn"), ("archive", "archive"), ("library", "archive_location"),
                         ("note", "note")):  # fmt: skip
        if getattr(ref, column):
            lines.append((name, text_to_latex(getattr(ref, column))))
    if ref.pages:
        lines.append(("pages", text_to_latex(ref.pages.replace("–", "--"), ligatures=True)))
    for name in ("doi", "url"):
        if getattr(ref, name):
            lines.append((name, _braces_balanced(getattr(ref, name))))
    if ref.accessed:
        lines.append(("urldate", ref.accessed.isoformat()))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in lines)
    return f"@{entry_type}{{{ref.key or f'ref{index}'},\n{body}\n}}\n"


def _dates(ref: Reference) -> list[tuple[str, str]]:
    issued = date_parts(ref.issued or "")
    if not issued:
        return []
    if "date-parts" not in issued:
        return [("year", text_to_latex(ref.issued))]
    parts = issued["date-parts"][0]
    out = [("year", str(parts[0]))]
    if len(parts) > 1:
        out.append(("date", ref.issued.strip()))
    return out


def name_to_bibtex(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + text_to_latex(name["literal"]) + "}"
    family = text_to_latex(name.get("family", ""))
    given = text_to_latex(name.get("given", ""))
    if " and " in family or "," in family or not family[:1].isupper():
        family = "{" + family + "}"  # kept whole: not split at 'and', not read as 'von'
    if "," in given or " and " in given:
        given = "{" + given + "}"
    return f"{family}, {given}" if given else family


def _braces_balanced(value: str) -> str:
    return value.replace("{", "%7B").replace("}", "%7D")
