"""Reads for the studio's list of posts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from broadsheet.publishing.models import Post, PostAuthor, edits_others_posts

STATUSES = [("all", pgettext_lazy("all posts", "All")), *Post.Status.choices]
KINDS = [("post", _("Posts")), ("page", pgettext_lazy("posts of the kind page", "Pages"))]


def studio_posts(user: Any) -> QuerySet[Post]:
    """Editors and Administrators see everyone's posts; other writers their own."""
    # Threads of pages elsewhere are the discussion's, not writing (publishing.threads).
    posts = Post.objects.exclude(kind=Post.Kind.THREAD)
    if not edits_others_posts(user):
        posts = posts.filter(pk__in=PostAuthor.objects.filter(author=user.pk).values("post"))
    return posts


def post_rows(*, user: Any, kind: str, status: str, query: str) -> QuerySet[Post]:
    rows = studio_posts(user).filter(kind=kind)
    if status != "all":
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    return (
        rows.only(
            "pk", "kind", "title", "slug", "status", "published_at", "modified_at",
            "word_count", "comment_count",
        )
        .prefetch_related("authors__profile")
        .order_by("-modified_at", "-id")
    )  # fmt: skip


def status_counts(*, user: Any, kind: str) -> dict[str, int]:
    counted = studio_posts(user).filter(kind=kind).values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in counted}
    counts["all"] = sum(counts.values())
    return counts
