"""Reading a WordPress export (WXR 1.0, 1.1, 1.2) as a stream of plain records.

lxml's iterparse reads the file once, element by element; each item is turned into a record
and its element freed, so memory stays bounded whatever the file's size. The parser never
loads a DTD, never expands an entity, never touches the network, and refuses a file that
declares a DOCTYPE (as WordPress's own importer does), so entity bombs and external entities
cannot work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from lxml import etree

from broadsheet.core.webaddress import is_web_address
from broadsheet.importers.progress import CountingReader, ImportProblem
from broadsheet.importers.safexml import iterparse, read_prologue, refuse_declarations
from broadsheet.importers.shortcodes import Attachment

# WordPress.com writes these with https:// (`xmlns:wp="https://wordpress.org/export/1.2/"`);
# WordPress's own importer takes whatever is bound to the prefix, so either scheme is read.
_NAMESPACES = {
    "wp": re.compile(r"https?://wordpress\.org/export/\d+\.\d+/"),
    "excerpt": re.compile(r"https?://wordpress\.org/export/\d+\.\d+/excerpt/"),
    "content": re.compile(r"https?://purl\.org/rss/1\.0/modules/content/"),
    "dc": re.compile(r"https?://purl\.org/dc/elements/1\.1/"),
}
_DEFAULTS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_SITE_FIELDS = ("title", "link", "description", "pubDate", "language")


@dataclass
class Site:
    title: str = ""
    link: str = ""
    description: str = ""
    wxr_version: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    language: str = ""  # the channel's <language>: the exporting site's, e.g. "de-DE"


@dataclass
class Author:
    line: int
    id: str
    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str


@dataclass
class Term:
    line: int
    taxonomy: str  # category, post_tag
    id: str
    slug: str
    name: str
    parent_slug: str
    description: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class WxrComment:
    line: int
    id: str
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date: str
    date_gmt: str
    content: str
    approved: str
    type: str
    parent: str
    user_id: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Item:
    line: int
    index: int  # the item's position in the file, from 0
    title: str
    link: str
    guid: str
    creator: str
    content: str
    excerpt: str
    post_id: str
    post_date: str
    post_date_gmt: str
    post_modified_gmt: str
    comment_status: str
    post_name: str
    status: str
    post_parent: str
    menu_order: str
    post_type: str
    post_password: str
    is_sticky: str
    attachment_url: str
    terms: list[tuple[str, str, str]]  # (domain, nicename, name)
    meta: dict[str, str]
    comments: list[WxrComment]


Record = Site | Author | Term | Item


NO_DATE = "0000-00-00 00:00:00"


def wordpress_utc(value: str, local_fallback: str = "") -> datetime | None:
    """WordPress's "Y-m-d H:i:s" in UTC (the *_gmt fields); drafts hold zeros there, so the
    local time is read in the site's zone instead."""
    for text, zone in ((value, UTC), (local_fallback, ZoneInfo(settings.TIME_ZONE))):
        if text and text != NO_DATE:
            try:
                return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
            except ValueError:
                continue
    return None


def check_prologue(path: Path) -> None:
    head = read_prologue(path, expected="a WordPress export (WXR)")
    refuse_declarations(
        head,
        root=b"<rss",
        source="a WordPress export",
        advice="Export the site again from WordPress (Tools → Export).",
    )


def read_wxr(path: Path) -> tuple[CountingReader, Iterator[Record]]:
    """The reader (for progress) and the records, in file order."""
    check_prologue(path)
    raw = path.open("rb")
    reader = CountingReader(raw)
    return reader, _records(reader, raw)


def read_attachments(path: Path) -> tuple[Site, dict[str, Attachment]]:
    """A first pass over the file for its site and attachments (the files posts show): a
    gallery names attachments that come after its post, and a featured image may too."""
    site = Site()
    found: dict[str, Attachment] = {}
    _, records = read_wxr(path)
    try:
        for record in records:
            _attachment(record, found)
            if isinstance(record, Site):
                site = record
    except ImportProblem:
        pass  # a file cut short: the second pass imports what comes before the break and says so
    return site, found


def _attachment(record: Record, found: dict[str, Attachment]) -> None:
    if isinstance(record, Item) and record.post_type == "attachment" and record.post_id:
        found[record.post_id] = Attachment(
            id=record.post_id,
            url=record.attachment_url if is_web_address(record.attachment_url) else "",
            parent=record.post_parent,
            title=record.title.strip(),
            caption=record.excerpt.strip(),
            alt=record.meta.get("_wp_attachment_image_alt", "").strip(),
            menu_order=int(record.menu_order) if record.menu_order.isdigit() else 0,
            credit=record.meta.get("_broadsheet_credit", "").strip(),
        )


def _records(reader: CountingReader, raw: IO[bytes]) -> Iterator[Record]:
    events = iterparse(reader)
    wp = ""
    ns: dict[str, str] = {}
    site = Site()
    site_sent = False
    depth = 0
    item_index = 0
    try:
        with raw:
            for event, element in events:
                tag = element.tag if isinstance(element.tag, str) else ""
                if event == "start":
                    depth += 1
                    if depth == 1:
                        if tag != "rss":
                            raise ImportProblem(
                                f"line {element.sourceline}: the document is <{_local(tag)}>, "
                                "not a WordPress export (<rss> with wp: elements)."
                            )
                        ns = namespaces(element.nsmap)
                        wp = ns["wp"]
                    continue
                depth -= 1
                if depth != 2:  # only the channel's children are records
                    continue
                is_field = tag in _SITE_FIELDS or (
                    tag.startswith(f"{{{wp}}}")
                    and _local(tag) in ("wxr_version", "base_site_url", "base_blog_url")
                )
                if not site_sent and not is_field and tag != "generator":
                    # The channel's own fields come first; the site goes out before anything
                    # that belongs to it.
                    site_sent = True
                    yield _checked(site)
                if tag == "item":
                    yield _item(element, ns, item_index)
                    item_index += 1
                elif tag == f"{{{wp}}}author":
                    yield _author(element, wp)
                elif tag in (f"{{{wp}}}category", f"{{{wp}}}tag", f"{{{wp}}}term"):
                    term = _term(element, wp)
                    if term is not None:
                        yield term
                else:
                    _site_field(site, element, wp)
                # Free what has been read: the element and the siblings before it.
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
            if not site_sent:
                yield _checked(site)
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else "?"
        raise ImportProblem(
            f"line {line}: the XML is broken ({error.msg}). If the export was cut short, "
            "export again; everything read before this point has been imported completely."
        ) from None


def namespaces(declared: dict[str | None, str]) -> dict[str, str]:
    """The URIs of wp:, excerpt:, content: and dc: in this file: the one bound to the prefix
    when it is one of them (as WordPress's importer reads it), else any declared one that is,
    whichever the scheme."""
    found: dict[str, str] = {}
    for prefix, pattern in _NAMESPACES.items():
        bound = declared.get(prefix, "")
        if pattern.fullmatch(bound):
            found[prefix] = bound
        else:
            found[prefix] = next((u for u in declared.values() if pattern.fullmatch(u)), "")
    if not found["wp"]:
        raise ImportProblem(
            "line 1: no WordPress export namespace (http://wordpress.org/export/1.x/ or "
            "https://…): this is an RSS feed, not an export. Export the site from WordPress "
            "(Tools → Export)."
        )
    found["excerpt"] = found["excerpt"] or found["wp"] + "excerpt/"
    for prefix, default in _DEFAULTS.items():
        found[prefix] = found[prefix] or default
    return found


def _checked(site: Site) -> Site:
    if site.wxr_version and not re.fullmatch(r"\d+\.\d+", site.wxr_version):
        raise ImportProblem(f"wp:wxr_version is {site.wxr_version!r}, not a version number.")
    return site


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Any, path: str, namespaces: dict[str, str]) -> str:
    found = element.find(path, namespaces)
    return (found.text or "") if found is not None else ""


def _site_field(site: Site, element: Any, wp: str) -> None:
    names = {
        "title": "title",
        "link": "link",
        "description": "description",
        "language": "language",
        f"{{{wp}}}wxr_version": "wxr_version",
        f"{{{wp}}}base_site_url": "base_site_url",
        f"{{{wp}}}base_blog_url": "base_blog_url",
    }
    name = names.get(element.tag) if isinstance(element.tag, str) else None
    if name:
        setattr(site, name, (element.text or "").strip())


def _author(element: Any, wp: str) -> Author:
    ns = {"wp": wp}
    return Author(
        line=element.sourceline or 0,
        id=_text(element, "wp:author_id", ns).strip(),
        login=_text(element, "wp:author_login", ns).strip(),
        email=_text(element, "wp:author_email", ns).strip(),
        display_name=_text(element, "wp:author_display_name", ns).strip(),
        first_name=_text(element, "wp:author_first_name", ns).strip(),
        last_name=_text(element, "wp:author_last_name", ns).strip(),
    )


def _term(element: Any, wp: str) -> Term | None:
    ns = {"wp": wp}
    local = _local(element.tag)
    line = element.sourceline or 0
    if local == "category":
        return Term(
            line,
            "category",
            _text(element, "wp:term_id", ns).strip(),
            _text(element, "wp:category_nicename", ns).strip(),
            _text(element, "wp:cat_name", ns).strip(),
            _text(element, "wp:category_parent", ns).strip(),
            _text(element, "wp:category_description", ns),
            {
                _text(m, "wp:meta_key", ns): _text(m, "wp:meta_value", ns)
                for m in element.findall("wp:termmeta", ns)
            },
        )
    if local == "tag":
        return Term(
            line,
            "post_tag",
            _text(element, "wp:term_id", ns).strip(),
            _text(element, "wp:tag_slug", ns).strip(),
            _text(element, "wp:tag_name", ns).strip(),
            "",
            _text(element, "wp:tag_description", ns),
        )
    # wp:term repeats categories and tags (and holds other taxonomies we do not use).
    return None


def _item(element: Any, ns: dict[str, str], index: int) -> Item:
    meta = {
        _text(m, "wp:meta_key", ns): _text(m, "wp:meta_value", ns)
        for m in element.findall("wp:postmeta", ns)
    }
    terms = [
        (c.get("domain", ""), c.get("nicename", ""), (c.text or "").strip())
        for c in element.findall("category")
    ]
    comments = [
        WxrComment(
            line=c.sourceline or 0,
            id=_text(c, "wp:comment_id", ns).strip(),
            author=_text(c, "wp:comment_author", ns),
            author_email=_text(c, "wp:comment_author_email", ns).strip(),
            author_url=_text(c, "wp:comment_author_url", ns).strip(),
            author_ip=_text(c, "wp:comment_author_IP", ns).strip(),
            date=_text(c, "wp:comment_date", ns).strip(),
            date_gmt=_text(c, "wp:comment_date_gmt", ns).strip(),
            content=_text(c, "wp:comment_content", ns),
            approved=_text(c, "wp:comment_approved", ns).strip(),
            type=_text(c, "wp:comment_type", ns).strip(),
            parent=_text(c, "wp:comment_parent", ns).strip(),
            user_id=_text(c, "wp:comment_user_id", ns).strip(),
            meta={
                _text(m, "wp:meta_key", ns): _text(m, "wp:meta_value", ns)
                for m in c.findall("wp:commentmeta", ns)
            },
        )
        for c in element.findall("wp:comment", ns)
    ]
    return Item(
        line=element.sourceline or 0,
        index=index,
        title=_text(element, "title", ns),
        link=_text(element, "link", ns).strip(),
        guid=_text(element, "guid", ns).strip(),
        creator=_text(element, "dc:creator", ns).strip(),
        content=_text(element, "content:encoded", ns),
        excerpt=_text(element, "excerpt:encoded", ns),
        post_id=_text(element, "wp:post_id", ns).strip(),
        post_date=_text(element, "wp:post_date", ns).strip(),
        post_date_gmt=_text(element, "wp:post_date_gmt", ns).strip(),
        post_modified_gmt=_text(element, "wp:post_modified_gmt", ns).strip(),
        comment_status=_text(element, "wp:comment_status", ns).strip(),
        post_name=_text(element, "wp:post_name", ns).strip(),
        status=_text(element, "wp:status", ns).strip(),
        post_parent=_text(element, "wp:post_parent", ns).strip(),
        menu_order=_text(element, "wp:menu_order", ns).strip(),
        post_type=_text(element, "wp:post_type", ns).strip(),
        post_password=_text(element, "wp:post_password", ns),
        is_sticky=_text(element, "wp:is_sticky", ns).strip(),
        attachment_url=_text(element, "wp:attachment_url", ns).strip(),
        terms=terms,
        meta=meta,
        comments=comments,
    )
