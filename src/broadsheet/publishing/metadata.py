"""What a page tells search engines, social sites and reference managers about itself:
OpenGraph and Twitter card tags, JSON-LD (a post's BlogPosting with its citations and
comments, the home page's WebSite, an archive's CollectionPage, breadcrumbs), and Highwire
citation_* tags for Zotero and Google Scholar."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.core.paginator import Page
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from broadsheet.core.models import SiteSettings
from broadsheet.core.sanitize import stored_html_text
from broadsheet.publishing.models import Post
from broadsheet.publishing.revisions import version_url

if TYPE_CHECKING:
    from broadsheet.publishing.selectors import DateArchive


@dataclass(frozen=True)
class CommentSummary:
    """What a page's metadata (JSON-LD) says of a comment (discussion.selectors makes them)."""

    pk: int
    name: str
    username: str | None  # the writer's account, if they had one
    author_url: str
    body_html: str
    created_at: datetime
    url: str  # its public address: this page's, at #comment-N (discussion.addresses)
    quote: str = ""  # the passage it responds to (shortened), if any
    quote_url: str = ""  # that passage's address, with its text fragment


# A post may show 2,000 comments on one page: its JSON-LD carries a bounded sample
# (docs/decisions/0013-comments-in-json-ld.md).
COMMENTS_IN_JSON_LD = 5
COMMENT_TEXT_CHARS = 300


def _json_ld(data: dict[str, Any]) -> SafeString:
    # Escaped so no text can close the <script> data block it lives in (three replaces: far
    # cheaper than str.translate, which looks up every character of the page's metadata).
    text = (
        json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # no spaces: it is bytes
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def post_metadata(
    post: Post,
    authors: list[Any],
    *,
    comments: Sequence[CommentSummary] = (),
    version: int | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`comments` are those the page shows, in its order; the first few approved go in.
    `version`: the published version the page shows (the post's current one by default).
    `extra`: keys the apps above add to the essay's JSON-LD (publishing.additions)."""
    url = f"{settings.SITE_URL}{post.get_absolute_url()}"
    site = SiteSettings.current().shown_title
    description = " ".join(strip_tags(post.excerpt_html).split())[:300]
    people = [
        {
            "@type": "Person",
            "name": a.display_name,
            "url": f"{settings.SITE_URL}/author/{a.username}/",
        }
        for a in authors
    ]
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "WebPage" if post.is_page else "BlogPosting",
        "headline": post.title,
        "inLanguage": post.language,
        "description": description,
        "url": url,
        "mainEntityOfPage": url,
        "author": people,
        "publisher": {"@type": "Organization", "name": site, "url": f"{settings.SITE_URL}/"},
        "dateModified": post.modified_at.isoformat(),
        "wordCount": post.word_count,
    }
    if post.published_at:
        article["datePublished"] = post.published_at.isoformat()
    version = version or post.version
    if version and not post.is_page:
        # schema.org's CreativeWork.version, and the permanent address of this version's text.
        article["version"] = str(version)
        article["archivedAt"] = f"{settings.SITE_URL}{version_url(post, version)}"
    citations = [_citation_item(reference) for reference in post.references.all()]
    if citations:
        article["citation"] = citations
    article["commentCount"] = post.comment_count
    if comments:  # approved and shown, in the page's order
        article["comment"] = [_comment_item(c) for c in comments[:COMMENTS_IN_JSON_LD]]
    article.update(extra or {})
    breadcrumbs = _breadcrumbs(post, site, url)
    return {
        "url": url,
        "site": site,
        "description": description,
        "og_type": "website" if post.is_page else "article",
        "json_ld": _json_ld(article) + _json_ld(breadcrumbs),
    }


def _citation_item(reference: Any) -> dict[str, Any]:
    """A reference as schema.org's CreativeWork (the essay's `citation`)."""
    item: dict[str, Any] = {"@type": "CreativeWork", "name": reference.title}
    names = [
        n.get("literal") or " ".join(p for p in (n.get("given"), n.get("family")) if p)
        for n in (reference.contributors or {}).get("author", [])
    ]
    if names:
        item["author"] = [{"@type": "Person", "name": name} for name in names]
    if reference.issued:
        item["datePublished"] = reference.issued
    if reference.doi:
        item["sameAs"] = f"https://doi.org/{reference.doi}"
    elif reference.url:
        item["url"] = reference.url
    if reference.isbn:
        item["isbn"] = reference.isbn
    return item


def _breadcrumbs(post: Post, site: str, url: str) -> dict[str, Any]:
    """The site, the post's first category (not for a page), the post."""
    crumbs = [{"@type": "ListItem", "position": 1, "name": site, "item": f"{settings.SITE_URL}/"}]
    categories = list(post.categories.all()) if not post.is_page else []
    if categories:
        crumbs.append(
            {
                "@type": "ListItem",
                "position": 2,
                "name": categories[0].name,
                "item": f"{settings.SITE_URL}{categories[0].get_absolute_url()}",
            }
        )
    crumbs.append(
        {"@type": "ListItem", "position": len(crumbs) + 1, "name": post.title, "item": url}
    )
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": crumbs}


def _comment_item(comment: CommentSummary) -> dict[str, Any]:
    author: dict[str, Any] = {"@type": "Person", "name": comment.name}
    if comment.username is not None:
        author["url"] = f"{settings.SITE_URL}/people/{quote(comment.username)}/"
    elif comment.author_url.lower().startswith(("http://", "https://")):
        author["url"] = comment.author_url
    text = stored_html_text(comment.body_html)
    item = {
        "@type": "Comment",
        "author": author,
        "dateCreated": timezone.localtime(comment.created_at).isoformat(),
        "text": _shortened(text, COMMENT_TEXT_CHARS),
        "url": f"{settings.SITE_URL}{comment.url}",
    }
    if comment.quote:  # a response to a passage is about it
        item["about"] = {
            "@type": "Quotation",
            "text": comment.quote,
            "url": f"{settings.SITE_URL}{comment.quote_url}",
        }
    return item


def _shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:")
    return cut + "…"


def _site() -> tuple[str, str]:
    current = SiteSettings.current()
    return current.shown_title, current.tagline


def _listing_page(
    *, title: str, description: str, path: str, page: Page[Any]
) -> tuple[str, str, str]:
    """Title, description and canonical address of one page of a list of posts: page 2 on
    is indexable too, as itself."""
    if page.number == 1:
        return title, description, f"{settings.SITE_URL}{path}"
    numbers = {"number": page.number, "total": page.paginator.num_pages}
    return (
        f"{title} – " + _("Page %(number)s of %(total)s") % numbers,
        # Translators: after a list's description, in brackets: "(page 2 of 5)".
        f"{description} (" + _("page %(number)s of %(total)s") % numbers + ")",
        f"{settings.SITE_URL}{path}page/{page.number}/",
    )


def home_metadata(*, page: Page[Any]) -> dict[str, Any]:
    site, tagline = _site()
    description = tagline or _("The latest posts on %(site)s.") % {"site": site}
    title, page_description, url = _listing_page(
        title=site, description=description, path="/", page=page
    )
    website = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site,
        "url": f"{settings.SITE_URL}/",
        "description": description,
        "potentialAction": {
            "@type": "SearchAction",
            "target": f"{settings.SITE_URL}/?s={{search_term_string}}",
            "query-input": "required name=search_term_string",
        },
    }
    return {
        "url": url,
        "site": site,
        "title": title,
        "description": page_description,
        "og_type": "website",
        "json_ld": _json_ld(website),
    }


def archive_metadata(
    *,
    heading: str,
    description: str,
    path: str,
    page: Page[Any],
    trail: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """An archive (author, category, tag, date): a CollectionPage and its breadcrumbs.

    `trail` is the (name, path) of each crumb after the home page, the archive's own last.
    """
    site, _ = _site()
    title, page_description, url = _listing_page(
        title=heading, description=description, path=path, page=page
    )
    collection = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": title,
        "description": page_description,
        "url": url,
        "isPartOf": {"@type": "WebSite", "name": site, "url": f"{settings.SITE_URL}/"},
    }
    crumbs = [(site, "/"), *trail]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": f"{settings.SITE_URL}{p}"}
            for i, (name, p) in enumerate(crumbs, start=1)
        ],
    }
    return {
        "url": url,
        "site": site,
        "title": title,
        "description": page_description,
        "og_type": "website",
        "json_ld": _json_ld(collection) + _json_ld(breadcrumbs),
    }


def date_archive_metadata(*, archive: DateArchive) -> dict[str, Any]:
    on = archive.on
    # Breadcrumbs: the year, then the month, then the day, as far as the archive goes.
    trail = [(str(on.year), reverse("publishing:year", args=[on.year]))]
    if archive.kind != "year":
        month = reverse("publishing:month", args=[on.year, on.month])
        trail.append((dateformat.format(on, get_format("YEAR_MONTH_FORMAT")), month))
    if archive.kind == "day":
        trail.append((archive.name, archive.url))
    if archive.kind == "day":
        # Translators: a day, as in "Posts published on March 14, 2026."
        description = _("Posts published on %(day)s.") % {"day": archive.name}
    else:
        # Translators: a month or a year: "Posts published in March 2026."
        description = _("Posts published in %(period)s.") % {"period": archive.name}
    return archive_metadata(
        heading=archive.heading,
        description=description,
        path=archive.url,
        page=archive.page,
        trail=trail,
    )
