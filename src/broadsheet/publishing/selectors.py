"""Reads for publishing. Each page costs a fixed number of queries, whatever the content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from broadsheet.publishing.models import Category, Post, PostAuthor, PostQuerySet, Tag

_AUTHOR_LINKS: Any = Prefetch(
    "postauthor_set",
    queryset=PostAuthor.objects.select_related("author__profile").order_by("position", "id"),
    to_attr="author_links",
)


def _listing(user: Any) -> PostQuerySet:
    return (
        Post.objects.visible(user)
        .posts()
        .prefetch_related(_AUTHOR_LINKS, "categories")
        .defer("body", "body_html", "footnotes_html", "toc")
    )


def _paginate(queryset: QuerySet[Post], page: int) -> Page[Post]:
    paginator = Paginator(queryset, settings.POSTS_PER_PAGE, allow_empty_first_page=True)
    try:
        return paginator.page(page)
    except EmptyPage:
        raise Http404("There is no such page of posts.") from None


def post_list_home(*, user: Any, page: int) -> Page[Post]:
    return _paginate(_listing(user).order_by("-sticky", "-published_at", "-id"), page)


def post_list_for_author(*, user: Any, author: Any, page: int) -> Page[Post]:
    return _paginate(_listing(user).filter(authors=author), page)


def post_list_for_category(*, user: Any, category: Category, page: int) -> Page[Post]:
    # WordPress shows a category's posts together with those of its subcategories.
    within = Q(categories__path=category.path) | Q(categories__path__startswith=f"{category.path}/")
    return _paginate(_listing(user).filter(within).distinct(), page)


def post_list_for_tag(*, user: Any, tag: Tag, page: int) -> Page[Post]:
    return _paginate(_listing(user).filter(tags=tag), page)


def category_for_path(*, path: str) -> Category:
    """Resolve `parent/child`; a bare child slug is found too, for a redirect to its full path."""
    wanted = "/".join(s for s in path.strip("/").split("/") if s)
    category = Category.objects.filter(path=wanted).first()
    if category is None and "/" not in wanted:
        category = Category.objects.filter(slug=wanted).order_by("path").first()
    if category is None:
        raise Http404("No such category.")
    return category


@dataclass
class PostPermalinkResult:
    post: Post | None
    redirect_to: str | None = None


def _detail(user: Any) -> PostQuerySet:
    return Post.objects.visible(user).prefetch_related(
        _AUTHOR_LINKS, "categories", "tags", "references"
    )


def post_for_permalink(
    *, user: Any, year: int, month: int, day: int, slug: str
) -> PostPermalinkResult:
    try:
        on = date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None
    candidates = list(_detail(user).posts().filter(slug=slug))
    for post in candidates:
        if post.published_at is not None and post.get_absolute_url() == _permalink(on, slug):
            return PostPermalinkResult(post)
    if candidates:
        # Right slug, wrong date: WordPress answers with the canonical address.
        return PostPermalinkResult(None, redirect_to=candidates[0].get_absolute_url())
    raise Http404("No such post.")


def _permalink(on: date, slug: str) -> str:
    return f"/{on.year:04d}/{on.month:02d}/{on.day:02d}/{slug}/"


def post_for_preview(*, pk: int) -> Post:
    post = (
        Post.objects.prefetch_related(_AUTHOR_LINKS, "categories", "tags", "references")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def page_for_path(*, user: Any, path: str) -> Post:
    slugs = [s for s in path.strip("/").split("/") if s]
    if not slugs:
        raise Http404("No such page.")
    for page in _detail(user).pages().filter(slug=slugs[-1]).select_related("parent__parent"):
        if page.page_path == "/".join(slugs):
            return page
    raise Http404("No such page.")


@dataclass
class Neighbours:
    previous: Post | None
    next: Post | None


def post_neighbours(*, post: Post, user: Any) -> Neighbours:
    """The posts published just before and just after, as WordPress's post navigation."""
    if post.is_page or post.published_at is None:
        return Neighbours(None, None)
    base = (
        Post.objects.visible(user)
        .posts()
        .exclude(pk=post.pk)
        .only("title", "slug", "published_at", "kind")
    )
    previous = (
        base.filter(published_at__lte=post.published_at).order_by("-published_at", "-id").first()
    )
    following = (
        base.filter(published_at__gte=post.published_at).order_by("published_at", "id").first()
    )
    return Neighbours(previous, following)


def menu_pages() -> list[Post]:
    return list(
        Post.objects.visible()
        .pages()
        .filter(menu_order__gt=0, parent__isnull=True)
        .only("title", "slug", "kind", "parent_id")
        .order_by("menu_order", "title")
    )


def post_for_comments(*, pk: int | None, user: Any) -> Post | None:
    """The post a comment form names, if the reader may see it."""
    if not pk:
        return None
    return _detail(user).filter(pk=pk).first()
