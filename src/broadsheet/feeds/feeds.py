"""RSS 2.0 and Atom feeds on django.contrib.syndication, at WordPress's addresses.

Full text: each item carries the essay, its references and its notes, with in-page links made
absolute so footnotes work in a feed reader.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post, Tag
from broadsheet.publishing.selectors import category_for_path

FEED_ITEMS = 10
_IN_PAGE = re.compile(r'href="#')


def full_text(post: Post) -> str:
    """The essay as a feed reader shows it: body, references and notes."""
    base = f"{settings.SITE_URL}{post.get_absolute_url()}"
    parts = [post.body_html]
    references = list(post.references.all())
    if references:
        parts.append(
            "<h2>References</h2><ul>" + "".join(f"<li>{r.html}</li>" for r in references) + "</ul>"
        )
    if post.footnotes_html:
        parts.append(f"<h2>Notes</h2>{post.footnotes_html}")
    return _IN_PAGE.sub(f'href="{base}#', "".join(parts))


def _posts() -> QuerySet[Post]:
    return (
        Post.objects.visible()
        .posts()
        .prefetch_related("postauthor_set__author__profile", "categories", "references")
        .order_by("-published_at", "-id")
    )


class PostsFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def title(self, obj: Any = None) -> str:
        return SiteSettings.current().title or settings.SITE_NAME

    def description(self, obj: Any = None) -> str:
        return SiteSettings.current().tagline

    def link(self, obj: Any = None) -> str:
        return "/"

    def items(self, obj: Any = None) -> QuerySet[Post]:
        return _posts()[:FEED_ITEMS]

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        return full_text(item)

    def item_link(self, item: Post) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Post) -> str:
        return f"{settings.SITE_URL}/?p={item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Post) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> datetime:
        return item.modified_at

    def item_author_name(self, item: Post) -> str:
        return ", ".join(link.author.display_name for link in item.postauthor_set.all())

    def item_categories(self, item: Post) -> list[str]:
        return [category.name for category in item.categories.all()]

    def item_comments(self, item: Post) -> str:
        return f"{settings.SITE_URL}{item.get_absolute_url()}#comments"


class AtomPostsFeed(PostsFeed):
    feed_type = Atom1Feed
    subtitle = PostsFeed.description


class CategoryFeed(PostsFeed):
    def get_object(self, request: HttpRequest, path: str) -> Any:
        return category_for_path(path=path)

    def title(self, obj: Any = None) -> str:
        return f"{super().title()} » {obj.name}"

    def link(self, obj: Any = None) -> str:
        return str(obj.get_absolute_url())

    def items(self, obj: Any = None) -> QuerySet[Post]:
        from django.db.models import Q

        within = Q(categories__path=obj.path) | Q(categories__path__startswith=f"{obj.path}/")
        return _posts().filter(within).distinct()[:FEED_ITEMS]


class TagFeed(PostsFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Any:
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj: Any = None) -> str:
        return f"{super().title()} » {obj.name}"

    def link(self, obj: Any = None) -> str:
        return str(obj.get_absolute_url())

    def items(self, obj: Any = None) -> QuerySet[Post]:
        return _posts().filter(tags=obj)[:FEED_ITEMS]


class AuthorFeed(PostsFeed):
    def get_object(self, request: HttpRequest, username: str) -> Any:
        from broadsheet.accounts.models import User

        return get_object_or_404(User, username=username)

    def title(self, obj: Any = None) -> str:
        return f"{super().title()} » {obj.display_name}"

    def link(self, obj: Any = None) -> str:
        return f"/author/{obj.username}/"

    def items(self, obj: Any = None) -> QuerySet[Post]:
        return _posts().filter(authors=obj)[:FEED_ITEMS]


def _approved_comments() -> QuerySet[Comment]:
    return (
        Comment.objects.filter(
            status=Comment.Status.APPROVED, removed=False, post__status=Post.Status.PUBLISHED
        )
        .select_related("post", "user__profile")
        .order_by("-created_at", "-id")
    )


class CommentsFeed(Feed):
    """WordPress's /comments/feed/: the latest approved comments on the whole site."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def title(self, obj: Any = None) -> str:
        return f"Comments for {SiteSettings.current().title or settings.SITE_NAME}"

    def link(self, obj: Any = None) -> str:
        return "/"

    def description(self, obj: Any = None) -> str:
        return SiteSettings.current().tagline

    def items(self, obj: Any = None) -> QuerySet[Comment]:
        return _approved_comments()[: FEED_ITEMS * 2]

    def item_title(self, item: Comment) -> str:
        return f"Comment on {item.post.title} by {item.display_name}"

    def item_description(self, item: Comment) -> str:
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return f"{item.post.get_absolute_url()}#comment-{item.pk}"

    def item_pubdate(self, item: Comment) -> datetime:
        return item.created_at

    def item_author_name(self, item: Comment) -> str:
        return item.display_name


class PostCommentsFeed(CommentsFeed):
    """A post's own comments feed, at its permalink plus feed/."""

    def get_object(self, request: HttpRequest, year: int, month: int, day: int, slug: str) -> Any:
        from broadsheet.publishing.selectors import post_for_permalink

        found = post_for_permalink(user=None, year=year, month=month, day=day, slug=slug)
        if found.post is None:
            from django.http import Http404

            raise Http404("No such post.")
        return found.post

    def title(self, obj: Any = None) -> str:
        return f"Comments on: {obj.title}"

    def link(self, obj: Any = None) -> str:
        return str(obj.get_absolute_url())

    def items(self, obj: Any = None) -> QuerySet[Comment]:
        return _approved_comments().filter(post=obj)[: FEED_ITEMS * 5]
