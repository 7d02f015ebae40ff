"""Reading a Webmention's source: whether it links to the target, and what its microformats
(mf2py: the h-entry) say — who wrote it, its words, when, and whether it is a reply, a like,
a repost, a bookmark or a plain mention. Everything read is text from another site: the HTML
kept is sanitized as a comment's is, and every field is cut to its column."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
import mf2py
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from lxml import etree

from broadsheet.core.sanitize import clean_comment_html, stored_html_text, without_nul

MAX_TEXT = 10_000  # characters of a mention's text kept: a reply, not a copy of a book
# The properties that make an h-entry a response of a kind, in the order they are tried.
_KINDS = (("in-reply-to", "reply"), ("like-of", "like"), ("repost-of", "repost"),
          ("bookmark-of", "bookmark"))  # fmt: skip


@dataclass(frozen=True)
class Read:
    kind: str
    author_name: str
    author_url: str
    author_photo: str
    text: str
    html: str  # sanitized
    published: datetime


def document(body: bytes, url: str) -> Any | None:
    """The page as an lxml tree, or None for one that cannot be read as HTML."""
    try:
        return lxml.html.document_fromstring(body, base_url=url)
    except (etree.ParserError, ValueError):
        return None


def links_to(tree: Any, url: str, target: str) -> bool:
    """Whether the page links to the target (an `href` or `src`, relative ones resolved)."""
    wanted = _plain(target)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("href", "src"):
            value = element.get(name)
            if value and _plain(urljoin(url, value.strip())) == wanted:
                return True
    return False


def _plain(address: str) -> str:
    return address.split("#", 1)[0]


def read(body: bytes, url: str, target: str) -> Read:
    """What the source's h-entry says of itself; a page without one is a plain mention."""
    parsed = mf2py.parse(doc=body.decode("utf-8", "replace"), url=url)
    entry = _entry(parsed.get("items", []), target)
    properties = entry.get("properties", {}) if entry else {}
    name, author_url, photo = _author(properties, url)
    html = _content_html(properties)
    return Read(
        kind=_kind(properties, target),
        author_name=name,
        author_url=author_url,
        author_photo=photo,
        text=stored_html_text(html)[:MAX_TEXT],
        html=html,
        published=_published(properties),
    )


def _entry(items: list[Any], target: str) -> dict[str, Any] | None:
    """The h-entry responding to the target if there is one, else the page's first h-entry."""
    entries = [item for item in _walk(items) if "h-entry" in item.get("type", [])]
    for entry in entries:
        for prop, _kind_name in _KINDS:
            if any(
                _plain(_url(value)) == _plain(target) for value in entry["properties"].get(prop, [])
            ):
                return entry
    return entries[0] if entries else None


def _walk(items: list[Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            found.append(item)
            found.extend(_walk(item.get("children", [])))
    return found


def _kind(properties: dict[str, Any], target: str) -> str:
    for prop, kind in _KINDS:
        if any(_plain(_url(value)) == _plain(target) for value in properties.get(prop, [])):
            return kind
    return "mention"


def _url(value: Any) -> str:
    """A property's address: a plain string, or an embedded h-cite's url or value."""
    if isinstance(value, dict):
        urls = value.get("properties", {}).get("url") or [value.get("value", "")]
        return str(urls[0]) if urls else ""
    return str(value)


def _text(value: Any, limit: int) -> str:
    if isinstance(value, dict):
        value = value.get("value", "")
    return without_nul(str(value)).strip()[:limit]


def _author(properties: dict[str, Any], url: str) -> tuple[str, str, str]:
    """Name, address and photo of the h-entry's author (an h-card or a plain name)."""
    authors = properties.get("author") or []
    if not authors:
        return "", "", ""
    author = authors[0]
    if not isinstance(author, dict):
        return _text(author, 245), "", ""
    card = author.get("properties", {})
    name = _text((card.get("name") or [author.get("value", "")])[0], 245)
    link = _web(_text((card.get("url") or [""])[0], 500), url)
    photo = _web(_text((card.get("photo") or [""])[0], 500), url)
    return name, link, photo


def _web(address: str, base: str) -> str:
    """An http(s) address or nothing (no `javascript:` photo, no `data:` page)."""
    resolved = urljoin(base, address) if address else ""
    return resolved if resolved.lower().startswith(("http://", "https://")) else ""


def _content_html(properties: dict[str, Any]) -> str:
    content = (properties.get("content") or properties.get("summary") or [""])[0]
    if isinstance(content, dict):
        raw = content.get("html") or _escape(content.get("value", ""))
    else:
        raw = _escape(str(content))
    return clean_comment_html(without_nul(raw)[: MAX_TEXT * 4])


def _escape(text: str) -> str:
    from django.utils.html import escape

    return f"<p>{escape(text[:MAX_TEXT])}</p>" if text.strip() else ""


def _published(properties: dict[str, Any]) -> datetime:
    """When the source says it was published, never later than now; else now."""
    now = timezone.now()
    value = _text((properties.get("published") or [""])[0], 64)
    try:
        when = parse_datetime(value.replace(" ", "T")) if value else None
    except ValueError:
        when = None
    if when is None:
        return now
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    return min(when, now)
