"""One consistent author–date bibliography style (close to Chicago author–date) for references.

Rendered once when a reference is saved. Every piece of text is escaped here; the only markup
produced is <em> for titles of whole works and <a> for URLs and DOIs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

if TYPE_CHECKING:
    from broadsheet.publishing.models import Reference

_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_ISSUED = re.compile(r"^(?P<year>\d{3,4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")

_WEB_URL = re.compile(r"^https?://", re.I)

Name = dict[str, str]


def parse_name(text: str) -> Name:
    """'Conquest, Robert' → family/given; a name without a comma is kept whole (an institution)."""
    text = " ".join(text.split())
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": text}


def name_text(name: Name, *, inverted: bool) -> str:
    if "literal" in name:
        return name["literal"]
    family, given = name.get("family", ""), name.get("given", "")
    if not given:
        return family
    return f"{family}, {given}" if inverted else f"{given} {family}"


def _join_names(names: list[Name], *, invert_first: bool) -> str:
    texts = [name_text(n, inverted=invert_first and i == 0) for i, n in enumerate(names)]
    if len(texts) > 10:
        # Chicago: for more than ten, list the first seven followed by et al.
        return ", ".join(texts[:7]) + ", et al."
    if len(texts) <= 1:
        return "".join(texts)
    if len(texts) == 2:
        separator = ", and " if invert_first else " and "
        return texts[0] + separator + texts[1]
    return ", ".join(texts[:-1]) + ", and " + texts[-1]


def _year(issued: str) -> str:
    match = _ISSUED.match(issued.strip())
    return match.group("year") if match else issued.strip()


def _full_date(issued: str) -> str:
    match = _ISSUED.match(issued.strip())
    if not match or not match.group("month"):
        return ""
    month = int(match.group("month"))
    if not 1 <= month <= 12:
        return ""
    if match.group("day"):
        return f"{_MONTHS[month - 1]} {int(match.group('day'))}, {match.group('year')}"
    return f"{_MONTHS[month - 1]} {match.group('year')}"


def _accessed(day: date | None) -> str:
    return f"Accessed {_MONTHS[day.month - 1]} {day.day}, {day.year}." if day else ""


def _sentence(text: str) -> str:
    """Close a piece with a full stop unless it already ends in punctuation."""
    text = text.strip()
    if not text:
        return ""
    return text if text[-1] in '.?!”"' or text.endswith(".</em>") else text + "."


def _pieces(parts: Iterable[str]) -> str:
    return " ".join(p for p in parts if p)


def reference_html(ref: Reference) -> SafeString:
    kind = ref.kind
    contributors = ref.contributors or {}
    authors: list[Name] = contributors.get("author", [])
    editors: list[Name] = contributors.get("editor", [])
    translators: list[Name] = contributors.get("translator", [])
    year = escape(_year(ref.issued)) if ref.issued else "n.d."

    whole_work = kind in ("book", "report")
    title = str(escape(ref.title))
    if ref.original_title:
        title = f"{title} [{escape(ref.original_title)}]"
    title_html = f"<em>{title}</em>" if whole_work else f"“{_sentence(title)}”"
    if whole_work:
        title_html = _sentence(title_html)

    if authors:
        lead = _sentence(escape(_join_names(authors, invert_first=True)))
    elif editors and whole_work:
        suffix = "eds." if len(editors) > 1 else "ed."
        lead = f"{escape(_join_names(editors, invert_first=True))}, {suffix}"
        editors = []
    else:
        lead = ""

    out: list[str] = []
    if lead:
        out += [lead, f"{year}.", title_html]
    else:
        out += [title_html, f"{year}."]

    container = escape(ref.container_title)
    if kind == "chapter":
        inner = f"In <em>{container}</em>" if container else "In"
        if editors:
            inner += f", edited by {escape(_join_names(editors, invert_first=False))}"
        if ref.pages:
            inner += f", {escape(ref.pages)}"
        out.append(_sentence(inner))
    elif kind == "article-journal":
        journal = f"<em>{container}</em>" if container else ""
        if ref.volume:
            journal += f" {escape(ref.volume)}"
        if ref.issue:
            journal += f" ({escape(ref.issue)})"
        if ref.pages:
            journal += f": {escape(ref.pages)}"
        out.append(_sentence(journal))
    elif kind == "article-newspaper":
        paper = f"<em>{container}</em>" if container else ""
        full = _full_date(ref.issued)
        if full:
            paper += f", {escape(full)}"
        if ref.pages:
            paper += f", {escape(ref.pages)}"
        out.append(_sentence(paper))
    elif kind == "webpage":
        out.append(_sentence(container))
    elif editors:
        out.append(_sentence(f"Edited by {escape(_join_names(editors, invert_first=False))}"))

    if translators:
        out.append(
            _sentence(f"Translated by {escape(_join_names(translators, invert_first=False))}")
        )
    if kind in ("book", "chapter", "report"):
        place_publisher = ": ".join(escape(p) for p in (ref.place, ref.publisher) if p)
        out.append(_sentence(place_publisher))
    if kind == "manuscript":
        out.append(
            _sentence(", ".join(escape(p) for p in (ref.archive, ref.archive_location) if p))
        )
    if ref.isbn:
        out.append(f"ISBN {escape(ref.isbn)}.")
    out.append(_accessed(ref.accessed) if kind == "webpage" or (ref.url and ref.accessed) else "")
    if ref.doi:
        doi = ref.doi.strip().removeprefix("https://doi.org/").removeprefix("doi:")
        href = escape(f"https://doi.org/{doi}")
        out.append(f'<a href="{href}">{href}</a>.')
    elif ref.url:
        href = escape(ref.url)
        # Only web addresses become links; anything else (javascript:, data:) is shown as text.
        out.append(f'<a href="{href}">{href}</a>.' if _WEB_URL.match(ref.url) else f"{href}.")
    if ref.note:
        out.append(_sentence(escape(ref.note)))
    return mark_safe(_pieces(out))


def reference_key(ref: Reference) -> str:
    authors = (ref.contributors or {}).get("author") or (ref.contributors or {}).get("editor") or []
    first = authors[0] if authors else {}
    who = first.get("family") or first.get("literal") or ref.title.split(" ")[0]
    return (slugify(f"{who}{_year(ref.issued)}") or "ref")[:80]


def unique_key(key: str, taken: set[str]) -> str:
    """marsh1998, then marsh1998-2, marsh1998-3…: one essay's keys must differ."""
    candidate, number = key, 1
    while candidate in taken:
        number += 1
        candidate = f"{key[:76]}-{number}"
    return candidate
