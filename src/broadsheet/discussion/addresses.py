"""A comment's public address: the page of its post's discussion that shows it, plus
`#comment-N` (WordPress's get_comment_link). Every link to a comment — feeds, JSON-LD, emails,
the moderation queue, /comment/N/ — is made here, so they all land where the comment is.

Pages count top-level threads oldest first, whatever the order shown within a page, and the
page shown at the post's own address (the first or the last) has no `comment-page-N/`. A
batch of comments costs one query when paging is on (the posts' approved threads numbered in
one pass, see thread_places) and none when it is off.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post


class Paging(Protocol):
    """The Discussion settings a comment's page depends on (DiscussionSettings,
    passed in: this module sits below it)."""

    page_comments: bool
    comments_per_page: int
    default_comments_page: str  # "newest" (the last page) or "oldest" (the first)


def comment_page_url(post: Post, number: int, default: int) -> str:
    """The address of one page of a post's discussion."""
    return _page_url(post.get_absolute_url(), number, default)


def _page_url(base: str, number: int, default: int) -> str:
    return base if number == default else f"{base}comment-page-{number}/"


def address_on_page(*, post: Post, comment_id: int, number: int, default: int) -> str:
    """The address of a comment shown on page `number` (of which `default` is at the post's
    own address): for a page that is being rendered, where both are known."""
    return f"{comment_page_url(post, number, default)}#comment-{comment_id}"


@dataclass(frozen=True)
class _Place:
    before: int  # approved threads on the post older than this comment's thread
    threads: int  # approved threads on the post, counting this one's as if it were approved


def default_comment_page(*, count: int, settings: Paging) -> int:
    if not settings.page_comments:
        return 1
    return count if settings.default_comments_page == "newest" else 1


def comment_addresses(*, comments: Iterable[Comment], settings: Paging) -> dict[int, str]:
    """Each comment's public address, by id. The comments carry their post (select_related)."""
    comments = list(comments)
    # Each post's address once: a feed's comments are mostly on a few posts.
    bases: dict[int, str] = {}
    for comment in comments:
        if comment.post_id not in bases:
            bases[comment.post_id] = comment.post.get_absolute_url()
    if not settings.page_comments:
        return {c.pk: f"{bases[c.post_id]}#comment-{c.pk}" for c in comments}
    places = thread_places(threads={(c.thread_id or c.pk): c.post_id for c in comments})
    per_page = settings.comments_per_page
    found: dict[int, str] = {}
    for comment in comments:
        place = places.get(comment.thread_id or comment.pk, _Place(0, 1))
        count = max(1, math.ceil(place.threads / per_page))
        number = min(place.before // per_page + 1, count)
        default = default_comment_page(count=count, settings=settings)
        found[comment.pk] = (
            f"{_page_url(bases[comment.post_id], number, default)}#comment-{comment.pk}"
        )
    return found


def comment_address(*, comment: Comment, settings: Paging) -> str:
    """One comment's public address (see comment_addresses)."""
    return comment_addresses(comments=[comment], settings=settings)[comment.pk]


def thread_places(*, threads: dict[int, int]) -> dict[int, _Place]:
    """Where each thread (id: its post's id) sits among its post's approved threads.

    One written-out statement (decision 0019) numbers the posts' approved threads in a single
    pass over the `comment_top_level` index: counting the older threads of each one asked
    about cost 20 ms for 50 comments of a post with 760 threads, on every feed request (its
    ETag includes the addresses). A thread not approved is not among them: those few (the
    moderation queue's) are counted by the ORM.
    """
    if not threads:
        return {}
    posts, wanted = sorted(set(threads.values())), sorted(threads)
    table = connection.ops.quote_name(Comment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, position, threads FROM ("  # noqa: S608 (only placeholders formatted in)
            "SELECT id, ROW_NUMBER() OVER (PARTITION BY post_id ORDER BY created_at, id) - 1"
            " AS position, COUNT(*) OVER (PARTITION BY post_id) AS threads"
            f" FROM {table} WHERE post_id IN ({', '.join(['%s'] * len(posts))})"
            " AND depth = 0 AND status = %s"
            f") ranked WHERE id IN ({', '.join(['%s'] * len(wanted))})",
            [*posts, Comment.Status.APPROVED, *wanted],
        )
        found = {pk: _Place(before, count) for pk, before, count in cursor.fetchall()}
    missing = set(threads) - set(found)
    return {**found, **(_held_places(missing) if missing else {})}


def _held_places(thread_ids: set[int]) -> dict[int, _Place]:
    """Threads not approved, placed where they will be once they are (counted among them)."""
    approved = Comment.objects.filter(
        post_id=OuterRef("post_id"), depth=0, status=Comment.Status.APPROVED
    ).order_by()
    rows = (
        Comment.objects.filter(pk__in=thread_ids)
        .order_by()
        .annotate(
            older=_count(approved.filter(created_at__lt=OuterRef("created_at"))),
            tied=_count(approved.filter(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))),
            threads=_count(approved),
        )
        .values_list("pk", "status", "older", "tied", "threads")
    )
    return {
        pk: _Place(older + tied, threads + (status != Comment.Status.APPROVED))
        for pk, status, older, tied, threads in rows
    }


def _count(rows: object) -> Coalesce:
    counted = rows.values("post_id").annotate(n=Count("pk")).values("n")  # type: ignore[attr-defined]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
