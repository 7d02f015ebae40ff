"""Reads for the discussion: a page of threads with all their replies, in a fixed number of
queries whatever the number of comments."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import islice
from typing import Any, NamedTuple, cast

from django.db import connection
from django.utils.translation import gettext

from broadsheet.core.sql import select_models
from broadsheet.discussion.addresses import address_on_page, default_comment_page
from broadsheet.discussion.anchors import quoted
from broadsheet.discussion.models import Anchor, Comment, DiscussionSettings
from broadsheet.publishing.metadata import CommentSummary
from broadsheet.publishing.models import Post

_TABLE = Comment._meta.db_table

# Columns never shown on a page: the Markdown source and what only moderators see.
NOT_SHOWN = (
    "body",
    "user_agent",
    "ip_address",
    "moderation_reason",
    "spam_score",
    "previous_status",
)


class Node(NamedTuple):
    """One comment on a page, as the page needs it: the columns of one row. A tuple, made
    straight from the cursor's row: a page may hold 2,000 of them."""

    pk: int
    parent_id: int | None
    depth: int
    status: str
    kind: str
    removed: bool
    user_id: int | None
    card_key: str
    card_html: str
    post_version: int | None
    # Issue 22's columns, read with the rest (no query more): when it was written (its
    # writer's edit window: the row's text, see _rows), its likes, and its pin.
    created_at: datetime | str
    like_count: int
    pinned_at: datetime | None
    pinned_as: str

    @classmethod
    def of(cls, comment: Comment) -> Node:
        return cls._make(getattr(comment, name) for name in cls._fields)

    def has_card(self, key: str) -> bool:
        """Whether its stored card can be shown: approved, and built with these inputs."""
        return (
            self.status == _APPROVED and not self.removed and self.card_key == key
            and bool(self.card_html)
        )  # fmt: skip


_APPROVED = str(Comment.Status.APPROVED)
# A row of _rows as a Node, made in C: Node._make is a Python call per row, which took
# 0.6 ms more on a 2,000-comment page. The row's columns are Node's fields (_rows).
_node_of_row = cast("Callable[[tuple[Any, ...]], Node]", partial(tuple.__new__, Node))


# Notices shown in a removed comment's place, given by the app that keeps them (moderation's
# public log registers here: the discussion is below it). A source answers {comment id: plain
# text} for a post, asking nothing of the database when it has nothing to say.
NoticeSource = Callable[[int, DiscussionSettings], dict[int, str]]
_notice_sources: list[NoticeSource] = []


def removal_notices(source: NoticeSource) -> NoticeSource:
    """Register a source of notices (a decorator)."""
    _notice_sources.append(source)
    return source


def _notices(post_id: int, settings: DiscussionSettings) -> dict[int, str]:
    found: dict[int, str] = {}
    for source in _notice_sources:
        found.update(source(post_id, settings))
    return found


@dataclass
class CommentPage:
    roots: list[Node]
    children: dict[int, list[Node]]  # each shown comment's replies, by its id
    number: int  # 1-based; pages count oldest threads first, as WordPress's comment-page-N
    count: int  # number of pages (1 when paging is off)
    default: int  # the page shown at the post's own address
    # The page's comments in the order shown (thread by thread, replies depth first), pending
    # ones shown to their author included.
    in_order: list[Node]
    # Comments loaded whole: those whose stored card cannot be used (held, built with other
    # settings, or not built yet), rendered with the page.
    loaded: dict[int, Comment]
    # Comments removed from the thread that show a notice in their place (the public log).
    notices: dict[int, str] = field(default_factory=dict)

    @property
    def shown(self) -> int:
        return len(self.in_order)

    @property
    def has_other_pages(self) -> bool:
        return self.count > 1


def _visible(pending_ids: Collection[int], noticed: Collection[int] = ()) -> tuple[str, list[Any]]:
    """The comments a reader sees, as SQL: approved ones, and their own held ones (spam
    included: a person wrongly filed sees theirs waiting), and the removed ones with a notice
    in their place (which holds their replies there)."""
    sql = "status = %s"
    params: list[Any] = [Comment.Status.APPROVED]
    if pending_ids:
        mine = list(pending_ids)
        sql += f" OR (id IN ({', '.join(['%s'] * len(mine))}) AND status IN (%s, %s))"
        params += [*mine, Comment.Status.PENDING, Comment.Status.SPAM]
    if noticed:
        sql += f" OR id IN ({', '.join(['%s'] * len(noticed))})"
        params += list(noticed)
    # Likes and reposts are shown as faces under the essay (webmention), not in the thread.
    return f"({sql}) AND mention NOT IN (%s, %s)", [*params, *Comment.REACTIONS]


def _select(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def comment_page_for_post(
    *, post: Post, page: int | None, settings: DiscussionSettings, pending_ids: Collection[int] = ()
) -> CommentPage:
    """Top-level threads of one page (or all), each with its whole visible subtree.

    Four queries at most: the number of threads (only when paging), the threads, every reply
    in them (the columns a page needs), and those comments whose stored card cannot be used;
    and one more for the notices of removed comments when the public moderation log is on.
    """
    notices = _notices(post.pk, settings)
    visible, params = _visible(pending_ids, notices)
    per_page = settings.comments_per_page
    if settings.page_comments:
        top = f"FROM {_TABLE} WHERE post_id = %s AND depth = 0 AND {visible}"
        [(total,)] = _select(f"SELECT COUNT(*) {top}", [post.pk, *params])
        count = max(1, math.ceil(total / per_page))
        default = default_comment_page(count=count, settings=settings)
        number = default if page is None else page
        if not 1 <= number <= count:
            number = default
        threads = [
            pk
            for (pk,) in _select(
                f"SELECT id {top} ORDER BY "
                f"{_THREAD_ORDER.get(settings.comment_order, 'created_at, id')} LIMIT %s OFFSET %s",
                [post.pk, *params, per_page, (number - 1) * per_page],
            )
        ]
    else:
        count = default = number = 1
        threads = None

    nodes = list(map(_node_of_row, _rows(post.pk, threads, visible, params)))
    ids = {node.pk for node in nodes}
    roots: list[Node] = []
    children: dict[int, list[Node]] = {}
    for node in nodes:
        if node.parent_id is None:
            roots.append(node)
        elif node.parent_id in ids:
            children.setdefault(node.parent_id, []).append(node)
        # A reply whose parent is hidden (pending, spam, trash) stays hidden with it.
    if settings.comment_order == DiscussionSettings.Order.DESC:
        roots.reverse()
    roots = _ordered(roots, settings)
    shown = _walk(roots, children)
    from broadsheet.discussion.rendering import card_key  # it renders pages of these

    key = card_key(settings)
    # Node.has_card, inlined: it is asked of every comment on the page.
    unbuilt = [
        n.pk for n in shown
        if not n.removed and not (n.status == _APPROVED and n.card_key == key and n.card_html)
        and n.pk not in notices
    ]  # fmt: skip
    return CommentPage(
        roots=roots, children=children, number=number, count=count, default=default,
        in_order=shown, loaded=_whole(unbuilt), notices=notices,
    )  # fmt: skip


def _ordered(roots: list[Node], settings: DiscussionSettings) -> list[Node]:
    """Most liked threads first when the site says so (ties: the older first), and pinned
    threads above the rest of their page, the earliest pinned first (stable sorts: nothing
    to do for a post without pins)."""
    if settings.comment_order == DiscussionSettings.Order.BEST:
        roots = sorted(roots, key=lambda node: -node.like_count)
    if any(node.pinned_at is not None for node in roots):
        return sorted(
            roots, key=lambda node: (0, str(node.pinned_at)) if node.pinned_at else (1, "")
        )
    return roots


_THREAD_ORDER: dict[str, str] = {
    DiscussionSettings.Order.BEST: "like_count DESC, created_at, id",
}


def _rows(
    post_id: int, threads: list[int] | None, visible: str, params: list[Any]
) -> list[tuple[Any, ...]]:
    """Node's fields of the post's visible comments (of these threads), in page order, as tuples
    straight from the cursor: no model, and none of the ORM's per-value conversions (these
    columns need none; SQLite's 0/1 is a fine bool). Written out (decision 0019): the ORM took
    longer to build this than SQLite to answer it, on every page render."""
    columns = ", ".join(_NODE_COLUMNS.get(name, name) for name in Node._fields)
    if threads is not None:
        visible += (
            f" AND thread_id IN ({', '.join(['%s'] * len(threads))})" if threads else " AND 0 = 1"
        )
        params = [*params, *threads]
    return _select(
        f"SELECT {columns} FROM {_TABLE} WHERE post_id = %s AND {visible} "  # noqa: S608
        "ORDER BY created_at, id",
        [post_id, *params],
    )


# The date a node carries is the row's text, read as a date only for the reader's own
# comments (their edit window): 2,000 dates parsed on every render of a busy post were a
# fifth of the statement's time.
_NODE_COLUMNS = {"pk": "id", "created_at": "CAST(created_at AS TEXT)"}


def _whole(ids: list[int]) -> dict[int, Comment]:
    if not ids:
        return {}
    comments = (
        Comment.objects.filter(pk__in=ids)
        .select_related("user__profile", "anchor")
        .defer(*NOT_SHOWN, "card_html")
    )
    return {comment.pk: comment for comment in comments}


def _walk(nodes: list[Node], children: dict[int, list[Node]]) -> list[Node]:
    found: list[Node] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        found.append(node)
        if node.pk in children:
            stack.extend(reversed(children[node.pk]))
    return found


def comments_for_metadata(*, post: Post, page: CommentPage, limit: int) -> list[CommentSummary]:
    """The first `limit` approved comments of a page of `post`, in its order (JSON-LD): one
    query for only the columns said, whatever the page holds."""
    from broadsheet.accounts.models import User

    shown = (node.pk for node in page.in_order if node.status == _APPROVED and not node.removed)
    wanted = list(islice(shown, limit))  # the first few of up to 2,000
    if not wanted:
        return []
    from broadsheet.accounts.models import Profile

    quote = connection.ops.quote_name
    comments, users = quote(_TABLE), quote(User._meta.db_table)
    profiles, anchors = quote(Profile._meta.db_table), quote(Anchor._meta.db_table)
    rows = select_models(
        Comment,
        f"LEFT JOIN {users} ON {users}.id = {comments}.user_id "
        f"LEFT JOIN {profiles} ON {profiles}.user_id = {users}.id "
        f"LEFT JOIN {anchors} ON {anchors}.comment_id = {comments}.id "
        f"WHERE {comments}.id IN ({', '.join(['%s'] * len(wanted))})",
        wanted,
        only=("author_name", "author_url", "body_html", "created_at"),
        extra=f"{users}.username AS account, {users}.first_name AS first, "
        f"{users}.last_name AS last, {profiles}.display_name AS shown_name, "
        + ", ".join(f"{anchors}.{quote(name)} AS anchor_{name}" for name in _ANCHOR_SHOWN),
    )
    post_url = post.get_absolute_url()
    anonymous = gettext("Anonymous")
    found = {
        c.pk: CommentSummary(
            pk=c.pk,
            name=User.name_from(c.shown_name, c.first, c.last, c.account)
            if c.account is not None
            else c.author_name or anonymous,
            username=c.account,
            author_url=c.author_url,
            body_html=c.body_html,
            created_at=c.created_at,
            url=address_on_page(
                post=post, comment_id=c.pk, number=page.number, default=page.default
            ),
            **_quote(c, post_url),
        )
        for c in rows
    }
    return [found[pk] for pk in wanted if pk in found]


# An anchor's columns that say how it is shown (discussion.anchors.anchor_shown).
_ANCHOR_SHOWN = (
    "passage", "exact", "prefix", "suffix", "state", "current_passage", "current_exact", "version",
)  # fmt: skip


def _quote(row: Comment, post_url: str) -> dict[str, str]:
    """The quote of a comment read with its anchor's columns (`anchor_…`), if it has one."""
    if getattr(row, "anchor_passage", None) is None:
        return {}
    anchor = Anchor(**{name: getattr(row, f"anchor_{name}") for name in _ANCHOR_SHOWN})
    shown = quoted(anchor, post_url)
    assert shown is not None
    return {"quote": shown.quote, "quote_url": shown.url}


# The checks every new comment passes through. Each is one short statement, written out: the
# ORM spent ten times longer building these queries than the database spent answering them,
# and they run on every comment posted. Columns are compared as the ORM would (addresses in
# any case, through the `comment_author_email_ci` index); the tests run them on both engines.


def _any(sql: str, params: list[Any]) -> bool:
    # Only fixed fragments are formatted in; every value is a parameter.
    return bool(_select(f"SELECT 1 FROM {_TABLE} WHERE {sql} LIMIT 1", params))  # noqa: S608


def _writer(*, user_id: int | None, name: str, email: str) -> tuple[str, list[Any]]:
    if user_id is not None:
        return "user_id = %s", [user_id]
    return "lower(author_email) = lower(%s) AND author_name = %s", [email, name]


def comment_repeated(
    *,
    post_id: int,
    parent_id: int | None,
    body: str,
    user_id: int | None,
    name: str,
    email: str,
    flood_since: datetime | None,
    ip_address: str | None,
) -> str | None:
    """Why the comment repeats another, or None. "duplicate": the same words from the same
    writer on the same thread, not in the trash; else "flood": another comment since
    `flood_since` (None: not checked) from this account (or email, for a guest) or address.
    One statement for both: they run for every comment posted."""
    writer, params = _writer(user_id=user_id, name=name, email=email)
    parent = "parent_id IS NULL" if parent_id is None else "parent_id = %s"
    duplicate = f"post_id = %s AND {parent} AND body = %s AND status <> %s AND {writer}"
    params = [post_id, *([] if parent_id is None else [parent_id]), body, Comment.Status.TRASH,
              *params]  # fmt: skip
    flood, flood_params = _flood(user_id, email, ip_address, flood_since)
    # Only fixed fragments are formatted in; every value is a parameter.
    [(is_duplicate, is_flood)] = _select(
        f"SELECT EXISTS (SELECT 1 FROM {_TABLE} WHERE {duplicate}), {flood}",  # noqa: S608
        [*params, *flood_params],
    )
    return "duplicate" if is_duplicate else "flood" if is_flood else None


def _flood(
    user_id: int | None, email: str, ip_address: str | None, since: datetime | None
) -> tuple[str, list[Any]]:
    same: list[str] = []
    params: list[Any] = []
    if user_id is not None:
        same, params = ["user_id = %s"], [user_id]
    elif email:
        same, params = ["lower(author_email) = lower(%s)"], [email]
    if ip_address:
        same.append("ip_address = %s")
        params.append(ip_address)
    if since is None or not same:
        return "0", []
    return (
        f"EXISTS (SELECT 1 FROM {_TABLE} WHERE ({' OR '.join(same)}) AND created_at >= %s)",  # noqa: S608
        [*params, connection.ops.adapt_datetimefield_value(since)],
    )


def comment_previously_approved(*, user_id: int | None, name: str, email: str) -> bool:
    """WordPress's "comment author must have a previously approved comment"."""
    if user_id is None and not email:
        return False
    writer, params = _writer(user_id=user_id, name=name, email=email)
    return _any(f"status = %s AND NOT removed AND {writer}", [Comment.Status.APPROVED, *params])
