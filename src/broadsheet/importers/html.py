"""WordPress post HTML → the Markdown Broadsheet stores and renders.

Gutenberg's block comments are dropped; classic-editor text gets its paragraphs back (what
WordPress's wpautop does on display: blank lines are paragraphs, single newlines breaks); the
footnotes block's markers and its `footnotes` post meta become Markdown footnotes; the core
shortcodes become figures, players and links (importers.shortcodes). markdownify turns the rest
into Markdown, which our renderer sanitises like any other post.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import unescape

from markdownify import markdownify

from broadsheet.importers.shortcodes import Attachment, captioned_figures, convert_shortcodes

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
_BLOCK_START = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|dl|blockquote|pre|table|figure|hr|section|aside|"
    r"address|details|form|iframe|script|style|object|embed|video|audio)\b",
    re.I,
)
_BLANK = re.compile(r"\n\s*\n")
_FOOTNOTE_MARK = re.compile(r'<sup\b[^>]*\bdata-fn="([^"]+)"[^>]*>.*?</sup>', re.S | re.I)
_FOOTNOTE_LIST = re.compile(
    r'<ol\b[^>]*class="[^"]*wp-block-footnotes[^"]*"[^>]*>.*?</ol>', re.S | re.I
)
_PLACEHOLDER = "ZZBSFOOTNOTE{}ZZ"
_PLACEHOLDER_RE = re.compile(r"ZZBSFOOTNOTE(\d+)ZZ")


@dataclass
class Converted:
    markdown: str
    warnings: list[str] = field(default_factory=list)
    unconverted: Counter[str] = field(default_factory=Counter)  # shortcodes left as text


def autop(text: str) -> str:
    """Classic-editor text: chunks between blank lines become paragraphs unless they are
    already block elements; single newlines inside a paragraph become line breaks."""
    out = []
    for chunk in _BLANK.split(text.replace("\r\n", "\n").strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br />\n") + "</p>")
    return "\n\n".join(out)


_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|blockquote|figure|figcaption|pre|table|tr|br|hr)\b[^>]*>", re.I
)
_INLINE_TAG = re.compile(r"<[^>]*>")


class TooDeep(ValueError):
    """HTML nested deeper than the converter can follow."""


def to_markdown(html: str) -> str:
    try:
        text = markdownify(html, heading_style="ATX", bullets="-", strip=["script", "style"])
    except RecursionError:
        # markdownify walks the tree recursively: thousands of nested tags (no editor writes
        # them; a hostile file can) would stop the whole import.
        raise TooDeep("its HTML is nested too deeply to convert") from None
    # markdownify leaves runs of blank lines between blocks; one is enough.
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def short_markdown(html: str) -> str:
    """An excerpt's or a footnote's Markdown; its words alone when it is nested too deeply."""
    try:
        return to_markdown(html)
    except TooDeep:
        return plain_text(html)


def plain_text(html: str) -> str:
    """The words of HTML without its tags, paragraphs kept, as Markdown-safe text."""
    text = unescape(_INLINE_TAG.sub("", _BLOCK_TAG.sub("\n\n", html)))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(escape_markdown(p) for p in paragraphs if p)


def escape_markdown(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~-])", r"\\\1", text)


def wordpress_to_markdown(
    content: str,
    *,
    footnotes_meta: str = "",
    attachments: Mapping[str, Attachment] | None = None,
    post_id: str = "",
) -> Converted:
    html = content.replace("\r\n", "\n")
    shortcodes = convert_shortcodes(html, attachments=attachments or {}, post_id=post_id)
    captioned_figures(shortcodes)
    html = shortcodes.html
    warnings = list(shortcodes.warnings)
    block_editor = "<!-- wp:" in html
    html = _BLOCK_COMMENT.sub("", html)
    if not block_editor:
        html = autop(html)

    notes: dict[str, str] = {}
    if footnotes_meta.strip():
        try:
            parsed = json.loads(footnotes_meta)
            notes = {
                str(n["id"]): str(n.get("content", ""))
                for n in parsed
                if isinstance(n, dict) and "id" in n
            }
        except (ValueError, TypeError):
            warnings.append("its footnotes could not be read (the footnotes meta is not JSON)")
    numbers: dict[str, int] = {}

    def marker(match: re.Match[str]) -> str:
        note_id = match.group(1)
        if note_id not in notes:
            warnings.append(f"footnote marker {note_id} has no text; removed")
            return ""
        numbers.setdefault(note_id, len(numbers) + 1)
        return _PLACEHOLDER.format(numbers[note_id])

    html = _FOOTNOTE_MARK.sub(marker, html)
    # The rendered list of a footnotes block (older exports): the meta carries the same text.
    if notes:
        html = _FOOTNOTE_LIST.sub("", html)
    try:
        markdown = to_markdown(html)
    except TooDeep as why:
        warnings.append(f"{why}; imported as plain text")
        markdown = plain_text(html)
    markdown = _PLACEHOLDER_RE.sub(lambda m: f"[^{m.group(1)}]", markdown)
    markdown = shortcodes.restore(markdown)
    if numbers:
        definitions = [
            f"[^{number}]: {short_markdown(notes[note_id]).replace(chr(10), ' ')}"
            for note_id, number in sorted(numbers.items(), key=lambda pair: pair[1])
        ]
        markdown = markdown + "\n\n" + "\n".join(definitions)
    unused = [note_id for note_id in notes if note_id not in numbers]
    if unused:
        warnings.append(
            f"{len(unused)} footnote(s) in the meta are not marked in the text; left out"
        )
    return Converted(
        markdown=markdown + "\n", warnings=warnings, unconverted=shortcodes.unconverted
    )
