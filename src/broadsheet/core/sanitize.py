"""HTML allow-lists (nh3, the ammonia binding). Everything stored as HTML passes through here."""

from __future__ import annotations

import html
import re

import nh3

_URL_SCHEMES = {"http", "https", "mailto", "tel"}

_POST_TAGS = {
    "a", "abbr", "audio", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp",
    "section", "source", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "video",
}  # fmt: skip

_POST_ATTRIBUTES = {
    "*": {"id", "class", "lang", "dir", "title"},
    "a": {"href", "aria-describedby", "aria-label", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes", "decoding"},
    "source": {"srcset", "sizes", "type"},  # a library figure's WebP (media.figures)
    # Players of imported [audio] and [video] shortcodes: the browser's own controls, no
    # autoplay; src and poster are checked against the schemes like every address.
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
    "del": {"datetime"},
    "ins": {"datetime"},
}

_post_cleaner = nh3.Cleaner(
    tags=_POST_TAGS,
    attributes=_POST_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
)


def clean_post_html(html: str) -> str:
    """Sanitize an author's rendered essay body: structure and links; no script, no styling."""
    return _post_cleaner.clean(html)


_short_cleaner = nh3.Cleaner(
    tags={"p", "a", "em", "strong", "code", "br", "del", "blockquote", "ul", "ol", "li", "pre"},
    attributes={"a": {"href", "title"}},
    url_schemes=_URL_SCHEMES,
    link_rel="nofollow ugc noopener",
    strip_comments=True,
)


def clean_short_html(html: str) -> str:
    """Sanitize a short text written by a person (a bio): links marked as user content."""
    return _short_cleaner.clean(html)


_comment_cleaner = nh3.Cleaner(
    tags={
        "p",
        "br",
        "a",
        "em",
        "strong",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
    },
    attributes={"a": {"href"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow ugc noopener",
    strip_comments=True,
)


def clean_comment_html(html: str) -> str:
    """Sanitize a rendered comment: the safe Markdown subset and nothing else."""
    return _comment_cleaner.clean(html)


def without_nul(text: str) -> str:
    """NUL characters never belong in text, and PostgreSQL refuses to store them."""
    return text.replace("\x00", "")


_TAG = re.compile(r"<[^>]*>")


def stored_html_text(markup: str) -> str:
    """Readable text of HTML that was sanitised when it was stored: tags become spaces (words
    in adjacent blocks stay apart), entities are decoded, spaces collapsed. A regular
    expression is enough for such HTML and far cheaper than a parser on a page view; the result
    is plain text, to be escaped wherever it is shown."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())
