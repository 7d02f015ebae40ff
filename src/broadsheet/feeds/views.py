"""Feed endpoints: conditional GET first (304 without building anything), then the feed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.feeds import feeds


def feed_view(feed: feeds.ConditionalFeed) -> Callable[..., HttpResponseBase]:
    """A feed answers If-None-Match / If-Modified-Since with 304 before rendering (the feed
    class reads its items and compares them first)."""
    return require_safe(cache_policy("public", max_age=300)(feed))


rss = feed_view(feeds.PostsFeed())
atom = feed_view(feeds.AtomPostsFeed())
json_feed = feed_view(feeds.JsonPostsFeed())
category = feed_view(feeds.CategoryFeed())
tag = feed_view(feeds.TagFeed())
author = feed_view(feeds.AuthorFeed())
comments = feed_view(feeds.CommentsFeed())
post_comments = feed_view(feeds.PostCommentsFeed())


def _sitemap(section: str) -> Sitemap[Any] | None:
    """The section's sitemap if it lists anything: the protocol's <urlset> holds at least one
    <url>, so an empty section (no tags yet) is neither listed in the index nor served."""
    from broadsheet.feeds.sitemaps import SITEMAPS

    found = SITEMAPS.get(section)
    if found is None:
        return None
    # A fresh sitemap each request: it keeps its paginator (and the count) for the request.
    sitemap = found() if isinstance(found, type) else copy.copy(found)
    return sitemap if sitemap.paginator.count else None


@require_safe
@cache_policy("public", max_age=3600)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    from django.contrib.sitemaps import views as sitemap_views

    from broadsheet.feeds.sitemaps import SITEMAPS

    sections: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
        name: s for name in SITEMAPS if (s := _sitemap(name)) is not None
    }
    if not sections:
        raise Http404("Nothing is published yet, so there is no sitemap.")
    response: HttpResponse = sitemap_views.index(
        request, sections, sitemap_url_name="feeds:sitemap_section"
    )
    return response


@require_safe
@cache_policy("public", max_age=3600)
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    from django.contrib.sitemaps import views as sitemap_views

    sitemap = _sitemap(section)
    if sitemap is None:
        raise Http404(f"There is no sitemap of {section} on this site.")
    response: HttpResponse = sitemap_views.sitemap(request, {section: sitemap}, section=section)
    return response


@require_safe
@cache_policy("public", max_age=3600)
def robots(request: HttpRequest) -> HttpResponse:
    """Crawlers may read everything public; the admin, accounts and moderation are not for them."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /moderation/",
        "Disallow: /preview/",
        "Disallow: /comments/post/",
        "",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
