"""The API's writes, each through the action the site's own pages use: a comment through
discussion's comment_submit (the form's rules, spam scoring, moderation and notices), an edit or
deletion of one's own through api.services, a moderator's decision through moderation's."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from broadsheet.api import schemas, selectors
from broadsheet.api.auth import Caller
from broadsheet.api.errors import ApiError
from broadsheet.api.services import (
    comment_edit_body,
    comment_withdraw,
    edit_key_issue,
    own_comment,
)
from broadsheet.core.markdown import render_comment_markdown
from broadsheet.core.sanitize import without_nul
from broadsheet.discussion.addresses import comment_address
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.services import MAX_BODY, Commenter, CommentRejected, comment_submit
from broadsheet.moderation.services import comment_apply
from broadsheet.notifications.services import comment_subscriptions_request
from broadsheet.publishing.models import Post
from broadsheet.publishing.threads import origin_allowed, thread_address, thread_for_url

# The comment form's field names, as the API calls them.
_FIELDS = {"author": "name", "email": "email", "url": "website", "comment": "body"}
_MODERATION = {"approve": "approve", "hold": "unapprove", "spam": "spam", "trash": "trash"}


def _thread(payload: schemas.CommentIn) -> Post:
    if payload.thread is not None:
        post = selectors.readable_thread(payload.thread)
        if post is None:
            raise ApiError(404, "not_found", gettext("There is no public thread with this id."))
        return post
    if not payload.url:
        message = gettext("Name the thread: its id as thread, or the page's url and title.")
        raise ApiError(422, "missing", message, fields={"thread": message})
    post = thread_for_url(payload.url, title=payload.title, create=True)
    if post is None or not post.is_public:
        raise ApiError(
            404,
            "no_thread",
            _why_no_thread(payload.url),
            fields={"url": _why_no_thread(payload.url)},
        )
    return post


def _why_no_thread(url: str) -> str:
    try:
        address = thread_address(url)
    except ValueError as error:
        return str(error)
    if not origin_allowed(address):
        return gettext(
            "Comments on pages of this site are not taken here (see EMBED_ALLOWED_ORIGINS)."
        )
    return gettext("There is no public thread for this page.")


def _refused(rejected: CommentRejected) -> ApiError:
    field = _FIELDS.get(rejected.field or "", rejected.field)
    fields = {field: rejected.message} if field else None
    status = 422 if rejected.status == 400 else rejected.status
    return ApiError(status, rejected.code, rejected.message, fields=fields)


def comment_create(request: HttpRequest, who: Caller, payload: schemas.CommentIn) -> dict[str, Any]:
    """Write the comment (a first comment starts its page's thread; a refused one starts
    nothing), and answer it with its address, and a guest's edit key."""
    # A first comment on a page starts its thread: both are written, or neither. A comment on
    # a thread named by its id only reads it, and the comment is its own transaction.
    starts = transaction.atomic() if payload.thread is None else contextlib.nullcontext()
    try:
        with starts:
            post = _thread(payload)
            comment = comment_submit(
                post=post,
                commenter=Commenter(
                    user=who.user, name=payload.name, email=payload.email, url=payload.website
                ),
                body=payload.body,
                parent_id=payload.parent or None,
                ip_address=who.ip,
                user_agent=request.headers.get("User-Agent", ""),
            )
    except CommentRejected as rejected:
        raise _refused(rejected) from None
    discussion = DiscussionSettings.current()
    data = selectors.comment_data(comment, discussion)
    data["page_url"] = selectors.absolute(comment_address(comment=comment, settings=discussion))
    data["edit_key"] = edit_key_issue(comment) if comment.user_id is None else None
    data["subscriptions"] = _subscribe(comment, post, payload, discussion)
    return data


def _subscribe(
    comment: Comment, post: Post, payload: schemas.CommentIn, discussion: DiscussionSettings
) -> list[str]:
    """The form's "Notify me" boxes, when the site offers them (Settings → Discussion)."""
    if not discussion.show_subscription_options:
        return []
    return comment_subscriptions_request(
        comment=comment, post=post, comments=payload.notify_comments, posts=payload.notify_posts
    )


def comment_change(request: HttpRequest, who: Caller, pk: int, body: str) -> dict[str, Any]:
    comment = own_comment(pk=pk, who=who, edit_key=request.headers.get("X-Edit-Key", ""))
    comment = comment_edit_body(comment=comment, body=body)
    return selectors.comment_data(comment, DiscussionSettings.current())


def comment_take_back(request: HttpRequest, who: Caller, pk: int) -> None:
    comment = own_comment(pk=pk, who=who, edit_key=request.headers.get("X-Edit-Key", ""))
    comment_withdraw(comment=comment)


def comment_moderate(who: Caller, pk: int, action: str) -> dict[str, Any]:
    if not who.is_moderator:
        raise ApiError(403, "not_moderator", gettext("Only moderators may moderate comments."))
    comment = Comment.objects.filter(pk=pk, removed=False).first()
    if comment is None:
        raise ApiError(404, "not_found", gettext("There is no comment with this id."))
    changed = comment_apply(comment=comment, action=_MODERATION[action])
    assert changed is not None  # only deletion removes a comment
    data = selectors.comment_data(changed, DiscussionSettings.current())
    data["status"] = changed.status
    return data


def comment_preview(body: str) -> str:
    body = without_nul(body).replace("\r\n", "\n").strip()
    if len(body.encode()) > MAX_BODY:
        message = gettext("Your comment is too long.")
        raise ApiError(422, "length", message, fields={"body": message})
    return render_comment_markdown(body)
