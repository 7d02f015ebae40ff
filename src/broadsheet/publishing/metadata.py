"""What a post page tells search engines, social sites and reference managers about itself:
OpenGraph and Twitter card tags, JSON-LD (BlogPosting with its citations, and breadcrumbs),
and Highwire citation_* tags for Zotero and Google Scholar."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from broadsheet.core.models import SiteSettings
from broadsheet.publishing.models import Post

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _json_ld(data: dict[str, Any]) -> SafeString:
    # Escaped so no text can close the <script> data block it lives in.
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def post_metadata(post: Post, authors: list[Any]) -> dict[str, Any]:
    url = f"{settings.SITE_URL}{post.get_absolute_url()}"
    site = SiteSettings.current().title or settings.SITE_NAME
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
    citations = []
    for reference in post.references.all():
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
        citations.append(item)
    if citations:
        article["citation"] = citations
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
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": crumbs,
    }
    return {
        "url": url,
        "site": site,
        "description": description,
        "og_type": "website" if post.is_page else "article",
        "json_ld": _json_ld(article) + _json_ld(breadcrumbs),
    }
