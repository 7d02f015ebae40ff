"""The API's reads: threads, their comments a page at a time, counts, and posts, as plain
dictionaries in the shapes of the OpenAPI document (api.schemas)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from broadsheet.discussion.models import Comment
from broadsheet.discussion.rendering import DELETED, avatar_url
from broadsheet.discussion.selectors import comment_page_for_post
from broadsheet.discussion.services import comments_are_open
from broadsheet.moderation.models import DiscussionSettings
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


def readable_thread(pk: int) -> Post | None:
    """A public post, page or thread (never a draft or a private post, whoever asks)."""
    candidates = Post.objects.filter(pk=pk).defer("body", "body_html", "footnotes_html", "toc")
    post = candidates.first()
    return post if post is not None and post.is_public else None


def thread_at(url: str) -> Post | None:
    post = thread_for_url(url)
    return post if post is not None and post.is_public else None


def edit_until(comment: Comment) -> str:
    return (comment.created_at + timedelta(minutes=settings.API_EDIT_MINUTES)).isoformat()


def comment_data(comment: Comment, settings_: DiscussionSettings) -> dict[str, Any]:
    removed = comment.removed
    avatar = "" if removed or not settings_.show_avatars else avatar_url(comment, settings_)
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "author": {
            "name": "" if removed else comment.display_name,
            "url": "" if removed else comment.author_url,
            "avatar": absolute(avatar) if avatar else "",
        },
        "html": f"<p>{DELETED}</p>" if removed else comment.body_html,
        "created": comment.created_at.isoformat(),
        "status": "removed" if removed else comment.status,
        "kind": comment.kind,
        "edit_until": None if removed else edit_until(comment),
    }


def _comments(ids: list[int]) -> QuerySet[Comment]:
    return Comment.objects.filter(pk__in=ids).select_related("user__profile")


def thread_comments(post: Post, page: int | None) -> dict[str, Any]:
    """One page of the thread as the site pages it (top-level threads, each whole), approved
    comments only: the answer is the same for everyone, so it can be kept."""
    discussion = DiscussionSettings.current()
    shown = comment_page_for_post(post=post, page=page, settings=discussion)
    ids = [node.pk for node in shown.in_order if node.pk not in shown.notices]
    loaded = {comment.pk: comment for comment in _comments(ids)}
    return {
        "thread": thread_data(post, discussion),
        "count": post.comment_count,
        "page": shown.number,
        "pages": shown.count,
        "comments": [comment_data(loaded[pk], discussion) for pk in ids if pk in loaded],
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
