"""A comment's public address: the page of its post's discussion that shows it, plus
`#comment-N` (WordPress's get_comment_link). Every link to a comment — feeds, JSON-LD, emails,
the moderation queue, /comment/N/ — is made here, so they all land where the comment is.

Pages count top-level threads oldest first, whatever the order shown within a page, and the
page shown at the post's own address (the first or the last) has no `comment-page-N/`. A
batch of comments costs one query when paging is on (each thread's place and its post's
number of threads, through the `comment_top_level` index) and none when it is off.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from broadsheet.discussion.models import Comment
from broadsheet.moderation.models import DiscussionSettings
from broadsheet.publishing.models import Post


def comment_page_url(post: Post, number: int, default: int) -> str:
    """The address of one page of a post's discussion."""
    base = post.get_absolute_url()
    return base if number == default else f"{base}comment-page-{number}/"


def address_on_page(*, post: Post, comment_id: int, number: int, default: int) -> str:
    """The address of a comment shown on page `number` (of which `default` is at the post's
    own address): for a page that is being rendered, where both are known."""
    return f"{comment_page_url(post, number, default)}#comment-{comment_id}"


@dataclass(frozen=True)
class _Place:
    before: int  # approved threads on the post older than this comment's thread
    threads: int  # approved threads on the post, counting this one's as if it were approved


def default_comment_page(*, count: int, settings: DiscussionSettings) -> int:
    if not settings.page_comments:
        return 1
    return count if settings.default_comments_page == DiscussionSettings.FirstPage.NEWEST else 1


def comment_addresses(
    *, comments: Iterable[Comment], settings: DiscussionSettings | None = None
) -> dict[int, str]:
    """Each comment's public address, by id. The comments carry their post (select_related)."""
    comments = list(comments)
    settings = settings or DiscussionSettings.current()
    if not settings.page_comments:
        return {c.pk: f"{c.post.get_absolute_url()}#comment-{c.pk}" for c in comments}
    places = _places({c.thread_id or c.pk for c in comments})
    per_page = settings.comments_per_page
    found: dict[int, str] = {}
    for comment in comments:
        place = places.get(comment.thread_id or comment.pk, _Place(0, 1))
        count = max(1, math.ceil(place.threads / per_page))
        found[comment.pk] = address_on_page(
            post=comment.post,
            comment_id=comment.pk,
            number=min(place.before // per_page + 1, count),
            default=default_comment_page(count=count, settings=settings),
        )
    return found


def comment_address(*, comment: Comment, settings: DiscussionSettings | None = None) -> str:
    """One comment's public address (see comment_addresses)."""
    return comment_addresses(comments=[comment], settings=settings)[comment.pk]


def _places(thread_ids: set[int]) -> dict[int, _Place]:
    """Where each thread sits among its post's approved threads, in one query."""
    if not thread_ids:
        return {}
    approved = Comment.objects.filter(
        post_id=OuterRef("post_id"), depth=0, status=Comment.Status.APPROVED
    ).order_by()
    older = approved.filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    rows = (
        Comment.objects.filter(pk__in=thread_ids)
        .annotate(before=_count(older), threads=_count(approved))
        .values_list("pk", "status", "before", "threads")
    )
    # A thread not (yet) approved is placed where it will be once it is: counted among them.
    return {
        pk: _Place(before, threads + (status != Comment.Status.APPROVED))
        for pk, status, before, threads in rows
    }


def _count(rows: object) -> Coalesce:
    counted = rows.values("post_id").annotate(n=Count("pk")).values("n")  # type: ignore[attr-defined]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
