"""Sitemaps on django.contrib.sitemaps: posts, pages and archives, 2,000 addresses a file as
WordPress does, each with its last modification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.utils.functional import cached_property

from broadsheet.publishing.models import Category, Post, Tag


class _Base(Sitemap):
    limit = 2000
    protocol = None  # the scheme of the request, as SITE_URL says behind a proxy

    def _queryset(self) -> QuerySet[Any]:
        items = self.items()
        assert isinstance(items, QuerySet), f"{type(self).__name__}.items() must return a QuerySet"
        return items

    @cached_property
    def paginator(self) -> Paginator:
        """Counted once a request: the index, the empty-section check and the page share it
        (Django's is a property that counts again at every use)."""
        return Paginator(self._queryset(), self.limit)

    def lastmod_posts(self) -> QuerySet[Post]:
        """The posts whose newest modified_at is the section's lastmod."""
        return self._queryset()

    def get_latest_lastmod(self) -> datetime | None:
        """The newest lastmod in one aggregate query, not by reading every item as Django's
        default does (ten thousand posts for one date in the index)."""
        latest = self.lastmod_posts().aggregate(latest=Max("modified_at"))["latest"]
        return latest if isinstance(latest, datetime) else None


class PostSitemap(_Base):
    def items(self) -> QuerySet[Post]:
        return (
            Post.objects.public()
            .posts()
            .only("slug", "published_at", "modified_at", "kind")
            .order_by("-published_at", "id")
        )

    def lastmod(self, item: Post) -> datetime:
        return item.modified_at


class PageSitemap(_Base):
    def items(self) -> QuerySet[Post]:
        return Post.objects.public().pages().select_related("parent").order_by("menu_order", "id")

    def lastmod(self, item: Post) -> datetime:
        return item.modified_at


class CategorySitemap(_Base):
    def items(self) -> QuerySet[Category]:
        # Grouped by category, one row each: no DISTINCT needed.
        visible = Post.objects.public().posts()
        return (
            Category.objects.filter(posts__in=visible)
            .annotate(latest=Max("posts__modified_at"))
            .order_by("path")
        )

    def lastmod(self, item: Any) -> datetime:
        return item.latest

    def lastmod_posts(self) -> QuerySet[Post]:
        return Post.objects.public().posts().filter(categories__isnull=False)


class TagSitemap(_Base):
    def items(self) -> QuerySet[Tag]:
        visible = Post.objects.public().posts()
        return (
            Tag.objects.filter(posts__in=visible)
            .annotate(latest=Max("posts__modified_at"))
            .order_by("slug")
        )

    def lastmod(self, item: Any) -> datetime:
        return item.latest

    def lastmod_posts(self) -> QuerySet[Post]:
        return Post.objects.public().posts().filter(tags__isnull=False)


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "posts": PostSitemap,
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
}
