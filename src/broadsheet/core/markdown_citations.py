"""Pandoc's citation syntax for markdown-it: `[see @marsh1998, 84; -@okafor2004]` and `@marsh1998`.

The plugin only recognises citations; what they look like is decided by whoever renders the
essay (publishing formats them with a CSL style), passed in as a function over all citations
of the essay at once, so the text never depends on the layer above.

Rules, after Pandoc: a bracketed citation is `[…]` not followed by `(` or `[` (a link), whose
`;`-separated parts each hold exactly one `@key` (optionally `-@key`, which leaves the author
out) with any prefix before it and suffix (a locator such as `, 84`) after it. A key starts
with a letter, digit or `_` and may hold `:.#$%&-+?<>~/` between such characters, or is
written `@{…}`. An in-text citation is a bare `@key` not preceded by a letter, digit or one of
`_-.+@/:` (so e-mail addresses stay text), optionally followed by ` [locator]`. Code spans
and links are consumed by their own rules first, so nothing inside them becomes a citation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

_KEY = r"(?:\{(?P<braced>[^{}\s]+)\}|(?P<plain>[\w](?:[\w]|[:.#$%&\-+?<>~/](?=\w))*))"
_PART = re.compile(rf"^(?P<prefix>.*?)(?:(?<=\s)|^)(?P<minus>-?)@{_KEY}(?P<suffix>.*)$", re.S)
_IN_TEXT = re.compile(rf"@{_KEY}")
_LOCATOR = re.compile(r" \[(?P<locator>[^\[\]@]*)\](?![(\[])")
_NOT_BEFORE_IN_TEXT = set("_-.+@/:")
_MAX_BRACKET = 2000  # longer brackets are not searched for citations


@dataclass(frozen=True)
class CiteItem:
    key: str
    prefix: str = ""
    suffix: str = ""  # what follows the key, e.g. ", 84" or ", chap. 2"
    suppress_author: bool = False


@dataclass(frozen=True)
class Citation:
    items: tuple[CiteItem, ...]
    in_text: bool  # `@key argues` (author outside the parentheses) vs `[@key]`
    line: int  # 1-based line of the Markdown source
    source: str  # the text as written, shown as it is when it cannot be formatted


# Formats every citation of an essay at once, in order: HTML for each (already safe).
CitationFormatter = Callable[[Sequence[Citation]], Sequence[str]]


def _key(match: re.Match[str]) -> str:
    return match.group("braced") or match.group("plain")


def _bracketed_items(content: str) -> tuple[CiteItem, ...] | None:
    items = []
    for part in content.split(";"):
        match = _PART.match(part)
        if match is None or "@" in match.group("suffix") or _IN_TEXT.search(match.group("prefix")):
            return None
        items.append(
            CiteItem(
                key=_key(match),
                prefix=match.group("prefix").strip(),
                suffix=match.group("suffix").rstrip(),
                suppress_author=bool(match.group("minus")),
            )
        )
    return tuple(items)


def _bracketed(state: StateInline, silent: bool) -> bool:
    if not state.env.get("citations_on") or state.src[state.pos] != "[":
        return False
    end = state.src.find("]", state.pos + 1, state.pos + _MAX_BRACKET)
    if end < 0 or "[" in state.src[state.pos + 1 : end]:
        return False
    if state.src[end + 1 : end + 2] in ("(", "["):
        return False  # a link or a reference link
    items = _bracketed_items(state.src[state.pos + 1 : end])
    if items is None:
        return False
    if not silent:
        _push(state, items, in_text=False, source=state.src[state.pos : end + 1])
    state.pos = end + 1
    return True


def _in_text(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.env.get("citations_on") or state.src[pos] != "@" or state.linkLevel > 0:
        return False
    before = state.src[pos - 1] if pos > 0 else " "
    if before.isalnum() or before in _NOT_BEFORE_IN_TEXT:
        return False
    match = _IN_TEXT.match(state.src, pos)
    if match is None:
        return False
    end = match.end()
    suffix = ""
    locator = _LOCATOR.match(state.src, end)
    if locator is not None:
        suffix, end = locator.group("locator").strip(), locator.end()
    if not silent:
        item = CiteItem(key=_key(match), suffix=suffix)
        _push(state, (item,), in_text=True, source=state.src[pos:end])
    state.pos = end
    return True


def _push(state: StateInline, items: tuple[CiteItem, ...], *, in_text: bool, source: str) -> None:
    token = state.push("citation", "", 0)
    token.content = source
    token.meta = {"items": items, "in_text": in_text}


def _render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    from html import escape

    index = tokens[idx].meta.get("index")
    formatted = env.get("citation_html") or ()
    if index is None or index >= len(formatted):
        return escape(tokens[idx].content, quote=False)
    return str(formatted[index])


def citations_plugin(md: MarkdownIt) -> None:
    """Recognise citations when the parse's env has `citations_on` (else the text is kept)."""
    md.inline.ruler.before("link", "citation", _bracketed)
    md.inline.ruler.before("link", "citation_in_text", _in_text)
    md.add_render_rule("citation", _render)


def collect_citations(tokens: Sequence[Token], line_offset: int) -> list[Citation]:
    """Every citation in document order, numbered (token.meta["index"]) for the renderer."""
    found: list[Citation] = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = (token.map[0] if token.map else 0) + 1 + line_offset
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "citation":
                child.meta["index"] = len(found)
                found.append(
                    Citation(child.meta["items"], child.meta["in_text"], line, child.content)
                )
    return found
