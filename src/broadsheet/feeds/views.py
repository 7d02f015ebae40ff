"""Feed endpoints: conditional GET first (304 without building anything), then the feed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import condition, require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment
from broadsheet.feeds import feeds
from broadsheet.publishing.models import Post


def site_last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> datetime | None:
    """When anything a feed shows last changed: a post, or an approved comment (two queries)."""
    posts = Post.objects.visible().aggregate(latest=Max("modified_at"), newest=Max("published_at"))
    comments = Comment.objects.filter(status=Comment.Status.APPROVED).aggregate(
        latest=Max("status_changed_at")
    )
    moments = [m for m in (posts["latest"], posts["newest"], comments["latest"]) if m is not None]
    return max(moments) if moments else None


def _etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
    moment = site_last_modified(request)
    stamp = moment.isoformat() if moment else "empty"
    return hashlib.sha256(f"{request.path}|{stamp}".encode()).hexdigest()[:32]


def feed_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """A feed answers If-None-Match / If-Modified-Since with 304 before rendering."""
    return require_safe(
        cache_policy("public", max_age=300)(
            condition(etag_func=_etag, last_modified_func=site_last_modified)(view)
        )
    )


rss = feed_view(feeds.PostsFeed())
atom = feed_view(feeds.AtomPostsFeed())
category = feed_view(feeds.CategoryFeed())
tag = feed_view(feeds.TagFeed())
author = feed_view(feeds.AuthorFeed())
comments = feed_view(feeds.CommentsFeed())
post_comments = feed_view(feeds.PostCommentsFeed())


def _json_feed(request: HttpRequest) -> HttpResponse:
    """JSON Feed 1.1 (jsonfeed.org/version/1.1): the same items as /feed/, full text."""
    site = SiteSettings.current()
    items = []
    for post in feeds.PostsFeed().items():
        url = f"{settings.SITE_URL}{post.get_absolute_url()}"
        items.append(
            {
                "id": f"{settings.SITE_URL}/?p={post.pk}",
                "url": url,
                "title": post.title,
                "content_html": feeds.full_text(post),
                "date_published": post.published_at.isoformat() if post.published_at else None,
                "date_modified": post.modified_at.isoformat(),
                "authors": [
                    {"name": link.author.display_name} for link in post.postauthor_set.all()
                ],
                "tags": [category.name for category in post.categories.all()],
            }
        )
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.title or settings.SITE_NAME,
        "home_page_url": f"{settings.SITE_URL}/",
        "feed_url": f"{settings.SITE_URL}/feed/json/",
        "description": site.tagline,
        "language": settings.LANGUAGE_CODE,
        "items": items,
    }
    response = JsonResponse(feed, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/feed+json; charset=utf-8"
    return response


json_feed = feed_view(_json_feed)


@require_safe
@cache_policy("public", max_age=3600)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    from django.contrib.sitemaps import views as sitemap_views

    from broadsheet.feeds.sitemaps import SITEMAPS

    response: HttpResponse = sitemap_views.index(
        request, SITEMAPS, sitemap_url_name="feeds:sitemap_section"
    )
    return response


@require_safe
@cache_policy("public", max_age=3600)
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    from django.contrib.sitemaps import views as sitemap_views

    from broadsheet.feeds.sitemaps import SITEMAPS

    response: HttpResponse = sitemap_views.sitemap(request, SITEMAPS, section=section)
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
