"""Markdown to sanitized HTML, done once when a post is saved and never per request.

CommonMark (markdown-it-py) with footnotes, tables, strikethrough, heading anchors and smart
typography. Every paragraph gets a stable id derived from its own text, so an edit elsewhere in
the essay does not move it (discussion will be anchored to these ids). Footnotes are rendered
apart from the body so the page can place them where it wants.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from broadsheet.core.markdown_citations import (
    Citation,
    CitationFormatter,
    citations_plugin,
    collect_citations,
)
from broadsheet.core.sanitize import clean_comment_html, clean_post_html, clean_short_html

WORDS_PER_MINUTE = 230
_UNDEFINED_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class MarkdownProblem:
    line: int  # 1-based, within the Markdown source
    message: str


@dataclass
class RenderedMarkdown:
    body_html: str
    footnotes_html: str
    toc: list[TocEntry] = field(default_factory=list)
    word_count: int = 0
    problems: list[MarkdownProblem] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


def _heading_slug(text: str) -> str:
    return slugify(text, allow_unicode=True) or "section"


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _demote_headings(state: StateCore) -> None:
    """The page title is the only h1: when a body uses `#` headings, shift every level down."""
    tokens = state.tokens
    if not any(t.type == "heading_open" and t.tag == "h1" for t in tokens):
        return
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _alignment_classes(state: StateCore) -> None:
    """Table alignment as classes, not inline styles, so the CSP can forbid inline styles."""
    for token in state.tokens:
        style = token.attrGet("style") if token.type in ("th_open", "td_open") else None
        if style and isinstance(style, str) and style.startswith("text-align:"):
            token.attrs.pop("style")
            token.attrSet("class", f"align-{style.removeprefix('text-align:')}")


def _paragraph_ids(state: StateCore) -> None:
    """Give each visible paragraph an id from a hash of its own normalised text; then each
    item of a tight list that holds nothing but its text (its paragraph is hidden: the id goes
    on the <li>), so it can be responded to as well (decision 0047). Items come second so that
    the ids paragraphs had before items had any stay as they were."""
    seen: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and not token.hidden:
            token.attrSet("id", _text_id(tokens[index + 1].content, seen))
    for index, token in enumerate(tokens[1:-3], start=1):
        if (
            token.type == "paragraph_open"
            and token.hidden
            and tokens[index - 1].type == "list_item_open"
            and tokens[index + 3].type == "list_item_close"
        ):
            tokens[index - 1].attrSet("id", _text_id(tokens[index + 1].content, seen))


def _text_id(text: str, seen: dict[str, int]) -> str:
    digest = hashlib.blake2s(_normalise(text).encode(), digest_size=4).hexdigest()
    count = seen.get(digest, 0) + 1
    seen[digest] = count
    return f"p-{digest}" if count == 1 else f"p-{digest}-{count}"


def _render_footnote_ref(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    meta = tokens[idx].meta
    number = meta["id"] + 1
    sub = meta.get("subId", 0)
    ref_id = f"fnref-{number}" + (f"-{sub + 1}" if sub > 0 else "")
    return (
        f'<sup class="footnote-ref"><a href="#fn-{number}" id="{ref_id}" '
        f'aria-describedby="footnotes-heading">{number}</a></sup>'
    )


def _render_footnote_open(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return f'<li id="fn-{tokens[idx].meta["id"] + 1}">'


def _render_footnote_anchor(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    meta = tokens[idx].meta
    number = meta["id"] + 1
    sub = meta.get("subId", 0)
    ref_id = f"fnref-{number}" + (f"-{sub + 1}" if sub > 0 else "")
    # Stored with the essay's HTML: in the language active when the essay is saved (the site's).
    if sub > 0:
        # Translators: the second, third … link to the same note: "Back to reference 3 (2)".
        label = gettext("Back to reference %(number)s (%(time)s)") % {
            "number": number,
            "time": sub + 1,
        }
    else:
        label = gettext("Back to reference %(number)s") % {"number": number}
    return f' <a href="#{ref_id}" class="footnote-backref" aria-label="{escape(label)}">\u21a9\ufe0e</a>'


def _render_footnote_block_open(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return '<ol class="footnotes-list">\n'


def _render_footnote_block_close(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return "</ol>\n"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnote_plugin)
    md.use(citations_plugin)
    md.core.ruler.after("block", "demote_headings", _demote_headings)
    md.use(anchors_plugin, min_level=2, max_level=6, slug_func=_heading_slug)
    md.core.ruler.push("paragraph_ids", _paragraph_ids)
    md.core.ruler.push("alignment_classes", _alignment_classes)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.add_render_rule("footnote_open", _render_footnote_open)
    md.add_render_rule("footnote_anchor", _render_footnote_anchor)
    md.add_render_rule("footnote_block_open", _render_footnote_block_open)
    md.add_render_rule("footnote_block_close", _render_footnote_block_close)
    return md


def _problems(tokens: Sequence[Token], line_offset: int) -> list[MarkdownProblem]:
    problems = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "text" and (match := _UNDEFINED_FOOTNOTE.search(child.content)):
                line = (token.map[0] if token.map else 0) + 1 + line_offset
                problems.append(
                    MarkdownProblem(
                        line,
                        f"footnote [^{match.group(1)}] is referenced but never defined "
                        f"(add a line '[^{match.group(1)}]: …' below the text)",
                    )
                )
    return problems


def render_markdown(
    source: str,
    *,
    line_offset: int = 0,
    blocks: Callable[[list[Token]], list[Token]] | None = None,
    citations: CitationFormatter | None = None,
) -> RenderedMarkdown:
    """Render an essay body. `line_offset` shifts reported lines (e.g. past front matter);
    `blocks` may replace parsed tokens before rendering (media: library images → figures).
    With `citations`, Pandoc citations are recognised and that function formats them all."""
    md = _parser()
    env: dict[str, Any] = {"citations_on": citations is not None}
    tokens = md.parse(source, env)
    if blocks is not None:
        tokens = blocks(tokens)
    found = collect_citations(tokens, line_offset) if citations is not None else []
    if citations is not None:
        env["citation_html"] = citations(found)

    start = next((i for i, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
    body_tokens, footnote_tokens = tokens[:start], tokens[start:]

    toc: list[TocEntry] = []
    words = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            inline = tokens[index + 1]
            toc.append(TocEntry(int(token.tag[1]), str(token.attrGet("id")), _plain_text(inline)))
        elif token.type == "inline" and index < start:
            words += len(_plain_text(token).split())

    return RenderedMarkdown(
        body_html=clean_post_html(md.renderer.render(body_tokens, md.options, env)),
        footnotes_html=clean_post_html(md.renderer.render(footnote_tokens, md.options, env))
        if footnote_tokens
        else "",
        toc=toc,
        word_count=words,
        problems=_problems(tokens, line_offset),
        citations=found,
    )


def _plain_text(inline: Token) -> str:
    parts = [c.content for c in inline.children or () if c.type in ("text", "code_inline")]
    return "".join(parts)


@lru_cache(maxsize=1)
def _short_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "html": False})
    md.enable(["strikethrough", "replacements", "smartquotes"])
    md.disable(
        ["heading", "lheading", "image", "table", "html_block", "html_inline"], ignoreInvalid=True
    )
    return md


def render_inline_markdown(source: str) -> str:
    """A short text such as an author bio: paragraphs, emphasis, links and code; nothing else."""
    if not source.strip():
        return ""
    return clean_short_html(_short_parser().render(source))


@lru_cache(maxsize=1)
def _comment_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "html": False, "linkify": True})
    md.enable(["linkify", "strikethrough", "replacements", "smartquotes"])
    md.disable(
        ["heading", "lheading", "image", "table", "html_block", "html_inline", "hr"],
        ignoreInvalid=True,
    )
    return md


def render_comment_markdown(source: str) -> str:
    """A comment: paragraphs, emphasis, links (bare addresses too), quotes, code and lists."""
    return clean_comment_html(_comment_parser().render(source))
