"""The API's reads: threads, their comments a page at a time, counts, and posts, as plain
dictionaries in the shapes of the OpenAPI document (api.schemas)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection

from broadsheet.accounts.models import Profile, User
from broadsheet.core.sql import column, converter, select_one
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.rendering import DELETED, avatar_for
from broadsheet.discussion.selectors import comment_page_for_post
from broadsheet.discussion.services import comments_are_open
from broadsheet.publishing.models import Post
from broadsheet.publishing.threads import thread_for_url

MAX_COUNTS = 100


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def thread_data(post: Post, settings_: DiscussionSettings | None = None) -> dict[str, Any]:
    page_url = absolute(post.get_absolute_url())
    discussion = settings_ or DiscussionSettings.current()
    return {
        "id": post.pk,
        "url": post.external_url or page_url,
        "title": post.title,
        "comments_open": comments_are_open(post=post, settings=discussion),
        "comment_count": post.comment_count,
        "page_url": page_url,
        "notify_offered": discussion.show_subscription_options,
    }


# What a thread's answer reads of its post: whether it is public and open, its address (a
# page's walks its parents) and title, its count, and the version a new comment is made on.
_THREAD_FIELDS = (
    "kind", "title", "slug", "status", "published_at", "comments_open", "parent_id",
    "external_url", "comment_count", "version",
)  # fmt: skip


def readable_thread(pk: int) -> Post | None:
    """A public post, page or thread (never a draft or a private post, whoever asks).
    Written out (decision 0019): every uncached thread fetch asks."""
    post = select_one(Post, pk, only=_THREAD_FIELDS)
    return post if post is not None and post.is_public else None


def thread_at(url: str) -> Post | None:
    post = thread_for_url(url)
    return post if post is not None and post.is_public else None


def edit_until(comment: Comment) -> str:
    return (comment.created_at + timedelta(minutes=settings.API_EDIT_MINUTES)).isoformat()


class Row(NamedTuple):
    """What a Comment in the API shows, as columns: the thread's list reads these straight from
    the database (no model per comment: on a 200-comment thread, building the models cost more
    than everything else), a single written comment from its model (`row_of`)."""

    pk: int
    parent_id: int | None
    depth: int
    removed: bool
    status: str
    kind: str
    created_at: datetime
    author_name: str
    author_url: str
    author_email: str
    body_html: str
    user_id: int | None
    user_email: str | None
    username: str | None
    first_name: str | None
    last_name: str | None
    display_name: str | None
    avatar: str | None
    remote_avatar_url: str | None


# Row's columns, by table: the comment's, its account's, the account's profile's.
_COLUMNS = (
    (Comment, ("id", "parent_id", "depth", "removed", "status", "kind", "created_at",
               "author_name", "author_url", "author_email", "body_html", "user_id")),
    (User, ("email", "username", "first_name", "last_name")),
    (Profile, ("display_name", "avatar", "remote_avatar_url")),
)  # fmt: skip
_CREATED = [name for _, names in _COLUMNS for name in names].index("created_at")


def row_of(comment: Comment) -> Row:
    """The row of a comment already loaded (with user__profile, when it has an account)."""
    user = comment.user if comment.user_id else None
    profile = getattr(user, "profile", None) if user is not None else None
    return Row(
        comment.pk, comment.parent_id, comment.depth, comment.removed, comment.status,
        comment.kind, comment.created_at, comment.author_name, comment.author_url,
        comment.author_email, comment.body_html, comment.user_id,
        *((user.email, user.username, user.first_name, user.last_name) if user else (None,) * 4),
        *((profile.display_name, profile.avatar.name or "", profile.remote_avatar_url)
          if profile is not None else (None,) * 3),
    )  # fmt: skip


def rows(ids: list[int]) -> dict[int, Row]:
    """These comments' rows, by id. Written out (decision 0019): for a page of 200 comments
    the ORM spent longer building the statement than SQLite answering it."""
    if not ids:
        return {}
    created = converter(Comment, "created_at")
    with connection.cursor() as cursor:
        cursor.execute(_statement(len(ids)), ids)
        return {
            row[0]: Row._make((*row[:_CREATED], created(row[_CREATED]), *row[_CREATED + 1 :]))
            for row in cursor.fetchall()
        }


def _statement(count: int) -> str:
    return f"{_joined(connection.vendor)} IN ({', '.join(['%s'] * count)})"


@cache
def _joined(vendor: str) -> str:
    """The statement up to its list of ids, once per database kind (the names do not change)."""
    quote = connection.ops.quote_name
    comment, user, profile = (quote(model._meta.db_table) for model, _ in _COLUMNS)
    columns = ", ".join(
        f"{quote(model._meta.db_table)}.{column(model, name)}"
        for model, names in _COLUMNS
        for name in names
    )
    user_id = f"{user}.{column(User, 'id')}"
    return (
        f"SELECT {columns} FROM {comment} "  # noqa: S608  (names from the models)
        f"LEFT OUTER JOIN {user} ON {comment}.{column(Comment, 'user')} = {user_id} "
        f"LEFT OUTER JOIN {profile} ON {profile}.{column(Profile, 'user')} = {user_id} "
        f"WHERE {comment}.{column(Comment, 'id')}"
    )


def _name(row: Row) -> str:
    if row.user_id:
        return User.name_from(row.display_name, row.first_name or "", row.last_name or "",
                              row.username or "")  # fmt: skip
    return row.author_name or "Anonymous"


def _avatar(row: Row, settings_: DiscussionSettings) -> str:
    own = ""
    if row.avatar:
        own = str(_AVATARS.storage.url(row.avatar))
    elif row.remote_avatar_url:
        own = row.remote_avatar_url
    email = (row.user_email if row.user_id else row.author_email) or ""
    url = avatar_for(user_id=row.user_id, approved=row.status == Comment.Status.APPROVED, own=own,
                     email=email, name=row.author_name, settings=settings_)  # fmt: skip
    return absolute(url)


_AVATARS = Profile._meta.get_field("avatar")
_REMOVED = {"name": "", "url": "", "avatar": ""}


def row_data(row: Row, settings_: DiscussionSettings) -> dict[str, Any]:
    """A Comment in the shape of api.schemas.Comment."""
    if row.removed:
        author, html, status, until = _REMOVED, f"<p>{DELETED}</p>", "removed", None
    else:
        avatar = _avatar(row, settings_) if settings_.show_avatars else ""
        author = {"name": _name(row), "url": row.author_url, "avatar": avatar}
        html, status = row.body_html, row.status
        until = (row.created_at + timedelta(minutes=settings.API_EDIT_MINUTES)).isoformat()
    return {
        "id": row.pk, "parent": row.parent_id, "depth": row.depth, "author": author,
        "html": html, "created": row.created_at.isoformat(), "status": status,
        "kind": row.kind, "edit_until": until,
    }  # fmt: skip


def comment_data(comment: Comment, settings_: DiscussionSettings) -> dict[str, Any]:
    return row_data(row_of(comment), settings_)


def thread_comments(post: Post, page: int | None) -> dict[str, Any]:
    """One page of the thread as the site pages it (top-level threads, each whole), approved
    comments only: the answer is the same for everyone, so it can be kept."""
    discussion = DiscussionSettings.current()
    shown = comment_page_for_post(post=post, page=page, settings=discussion)
    ids = [node.pk for node in shown.in_order if node.pk not in shown.notices]
    loaded = rows(ids)
    return {
        "thread": thread_data(post, discussion),
        "count": post.comment_count,
        "page": shown.number,
        "pages": shown.count,
        "comments": [row_data(loaded[pk], discussion) for pk in ids if pk in loaded],
    }


def counts(urls: list[str], post_ids: list[int]) -> dict[str, int]:
    """Approved comments of each page named (by address or post id): 0 for one unknown."""
    found: dict[str, int] = {}
    for url in urls[:MAX_COUNTS]:
        post = thread_at(url)
        found[url] = post.comment_count if post is not None else 0
    public = Post.objects.filter(pk__in=post_ids[:MAX_COUNTS]).only(
        "comment_count", "status", "published_at"
    )
    by_id = {post.pk: post.comment_count for post in public if post.is_public}
    for pk in post_ids[:MAX_COUNTS]:
        found[str(pk)] = by_id.get(pk, 0)
    return found
