"""Sitemaps on django.contrib.sitemaps: posts, pages and archives, 2,000 addresses a file as
WordPress does, each with its last modification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet

from broadsheet.publishing.models import Category, Post, Tag


class _Base(Sitemap):
    limit = 2000
    protocol = None  # the scheme of the request, as SITE_URL says behind a proxy


class PostSitemap(_Base):
    def items(self) -> QuerySet[Post]:
        return (
            Post.objects.visible()
            .posts()
            .only("slug", "published_at", "modified_at", "kind")
            .order_by("-published_at", "id")
        )

    def lastmod(self, item: Post) -> datetime:
        return item.modified_at


class PageSitemap(_Base):
    def items(self) -> QuerySet[Post]:
        return Post.objects.visible().pages().select_related("parent").order_by("menu_order", "id")

    def lastmod(self, item: Post) -> datetime:
        return item.modified_at


class CategorySitemap(_Base):
    def items(self) -> QuerySet[Category]:
        visible = Post.objects.visible().posts()
        return (
            Category.objects.filter(posts__in=visible)
            .annotate(latest=Max("posts__modified_at"))
            .order_by("path")
            .distinct()
        )

    def lastmod(self, item: Any) -> datetime:
        return item.latest


class TagSitemap(_Base):
    def items(self) -> QuerySet[Tag]:
        visible = Post.objects.visible().posts()
        return (
            Tag.objects.filter(posts__in=visible)
            .annotate(latest=Max("posts__modified_at"))
            .order_by("slug")
            .distinct()
        )

    def lastmod(self, item: Any) -> datetime:
        return item.latest


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "posts": PostSitemap,
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
}
