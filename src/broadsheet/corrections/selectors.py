"""Reads of corrections: the published ones (post pages, feeds, /corrections/) and the ones
waiting in the studio, each only for whoever may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from broadsheet.corrections.models import Correction
from broadsheet.publishing.models import Post, PostAuthor, edits_others_posts
from broadsheet.publishing.revisions import changes_url


@dataclass(frozen=True)
class Published:
    """An accepted correction as readers see it."""

    pk: int
    post_id: int
    note: str
    accepted_at: datetime
    credited: str  # the proposer's name if they agreed to be named, else ""
    changes: str  # the address of what changed since the text it corrects, or ""

    @property
    def fragment(self) -> str:
        return f"correction-{self.pk}"


_PUBLISHED_COLUMNS = ("pk", "post_id", "note", "decided_at", "credit", "name", "version",
                      "accepted_version")  # fmt: skip


def _published(row: Correction, post: Post) -> Published:
    corrected = bool(row.accepted_version and row.version and row.accepted_version > row.version)
    return Published(
        pk=row.pk,
        post_id=row.post_id,
        note=row.note,
        accepted_at=row.decided_at or row.created_at,
        credited=row.credited_name,
        changes=changes_url(post, row.version) if corrected else "",
    )


def _accepted() -> QuerySet[Correction]:
    return Correction.objects.filter(status=Correction.Status.ACCEPTED).order_by("decided_at", "pk")


def published_for_post(post: Post) -> list[Published]:
    """The post's accepted corrections, oldest first (one query)."""
    rows = _accepted().filter(post=post.pk).only(*_PUBLISHED_COLUMNS, "created_at")
    return [_published(row, post) for row in rows]


def published_for_posts(posts: list[Post]) -> dict[int, list[Published]]:
    """The accepted corrections of several posts (a feed's items), in one query."""
    by_id = {post.pk: post for post in posts}
    found: dict[int, list[Published]] = {pk: [] for pk in by_id}
    rows = _accepted().filter(post__in=list(by_id)).only(*_PUBLISHED_COLUMNS, "created_at")
    for row in rows:
        found[row.post_id].append(_published(row, by_id[row.post_id]))
    return found


def published_site_wide() -> QuerySet[Correction]:
    """Every accepted correction of a public essay, newest first, with its post's title and
    address (not its text): the site-wide page and feed page through it."""
    return (
        Correction.objects.filter(
            status=Correction.Status.ACCEPTED, post__in=Post.objects.public().posts()
        )
        .select_related("post")
        .only(*_PUBLISHED_COLUMNS, "created_at", "post__title", "post__slug", "post__kind",
              "post__status", "post__published_at")
        .order_by("-decided_at", "-pk")
    )  # fmt: skip


def as_published(row: Correction) -> Published:
    return _published(row, row.post)


def suggestions_for(user: Any, *, status: str = Correction.Status.PENDING) -> QuerySet[Correction]:
    """Suggestions `user` may read: every one for Editors and Administrators, those on their
    own posts for Authors (and a Contributor who wrote a published essay)."""
    rows = Correction.objects.select_related("post").defer(
        "post__body", "post__body_html", "post__footnotes_html", "post__bibliography_html",
        "post__excerpt_html", "post__toc", "post__featured_image_html",
    )  # fmt: skip
    if not edits_others_posts(user):
        rows = rows.filter(post__in=PostAuthor.objects.filter(author=user.pk).values("post"))
    if status != "all":
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def may_read(user: Any, correction: Correction) -> bool:
    return edits_others_posts(user) or correction.post.is_authored_by(user)
