"""Reads for the discussion: a page of threads with all their replies, in a fixed number of
queries whatever the number of comments."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Q

from broadsheet.discussion.models import Comment
from broadsheet.moderation.models import DiscussionSettings
from broadsheet.publishing.models import Post


@dataclass
class Node:
    comment: Comment
    children: list[Node] = field(default_factory=list)


@dataclass
class CommentPage:
    roots: list[Node]
    number: int  # 1-based; pages count oldest threads first, as WordPress's comment-page-N
    count: int  # number of pages (1 when paging is off)
    default: int  # the page shown at the post's own address
    shown: int  # comments on this page, pending ones shown to their author included

    @property
    def has_other_pages(self) -> bool:
        return self.count > 1


def _visible(pending_ids: Collection[int]) -> Q:
    visible = Q(status=Comment.Status.APPROVED)
    if pending_ids:
        # A reader's own held comments, spam included: a person wrongly filed sees theirs waiting.
        visible |= Q(
            pk__in=list(pending_ids), status__in=[Comment.Status.PENDING, Comment.Status.SPAM]
        )
    return visible


def default_comment_page(*, count: int, settings: DiscussionSettings) -> int:
    if not settings.page_comments:
        return 1
    return count if settings.default_comments_page == DiscussionSettings.FirstPage.NEWEST else 1


def comment_page_for_post(
    *, post: Post, page: int | None, settings: DiscussionSettings, pending_ids: Collection[int] = ()
) -> CommentPage:
    """Top-level threads of one page (or all), each with its whole visible subtree.

    Three queries at most: the number of threads (only when paging), the threads, and every
    reply in them.
    """
    visible = _visible(pending_ids)
    top = Comment.objects.filter(visible, post=post, depth=0)
    per_page = settings.comments_per_page
    if settings.page_comments:
        total = top.count()
        count = max(1, math.ceil(total / per_page))
        default = default_comment_page(count=count, settings=settings)
        number = default if page is None else page
        if not 1 <= number <= count:
            number = default
        threads = list(
            top.order_by("created_at", "id")[
                (number - 1) * per_page : number * per_page
            ].values_list("pk", flat=True)
        )
    else:
        count = default = number = 1
        threads = None

    # The Markdown source and moderation-only columns are never shown on the page.
    replies = (
        Comment.objects.filter(visible, post=post)
        .select_related("user__profile")
        .defer(
            "body", "user_agent", "ip_address", "moderation_reason", "spam_score", "previous_status"
        )
    )
    replies = replies.filter(thread_id__in=threads) if threads is not None else replies
    comments = list(replies.order_by("created_at", "id"))

    nodes = {c.pk: Node(c) for c in comments}
    roots: list[Node] = []
    for comment in comments:
        node = nodes[comment.pk]
        if comment.parent_id is None:
            roots.append(node)
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].children.append(node)
        # A reply whose parent is hidden (pending, spam, trash) stays hidden with it.
    if settings.comment_order == DiscussionSettings.Order.DESC:
        roots.reverse()
    shown = sum(1 for _ in _walk(roots))
    return CommentPage(roots=roots, number=number, count=count, default=default, shown=shown)


def _walk(nodes: list[Node]) -> list[Node]:
    found: list[Node] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node.children))
    return found


def comments_on_page(*, page: CommentPage) -> list[Comment]:
    """A page's comments in the order they are shown: thread by thread, replies depth first."""
    return [node.comment for node in _walk(page.roots)]


def comment_page_number(*, comment: Comment, settings: DiscussionSettings) -> int:
    """The comment-page on which a comment appears (its thread's place among the threads)."""
    if not settings.page_comments:
        return 1
    thread_id = comment.thread_id or comment.pk
    root = Comment.objects.filter(pk=thread_id).values_list("created_at", "id").first()
    if root is None:
        return 1
    created_at, pk = root
    before = Comment.objects.filter(
        Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk),
        post_id=comment.post_id,
        depth=0,
        status=Comment.Status.APPROVED,
    ).count()
    return before // settings.comments_per_page + 1
