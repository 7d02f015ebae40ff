"""The API's own writes: a commenter's edit and deletion of their own comment, within
settings.API_EDIT_MINUTES of writing it. Writing one goes through discussion's comment_submit,
as the form's does; moderating through moderation's actions."""

from __future__ import annotations

import hmac
from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from broadsheet.api.auth import Caller
from broadsheet.api.errors import ApiError
from broadsheet.core.effects import action
from broadsheet.core.markdown import render_comment_markdown
from broadsheet.core.sanitize import without_nul
from broadsheet.discussion.effects import comment_changed
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import MAX_BODY
from broadsheet.moderation.services import comment_delete

_SALT = "broadsheet.api.edit-key"


def edit_key_issue(comment: Comment) -> str:
    """A guest's secret for editing or deleting `comment` in the window: an HMAC of the
    comment's id and time under the site's secret, so nothing is stored (the window is the
    comment's own time, checked in own_comment; decision 0104)."""
    moment = comment.created_at.astimezone(UTC).isoformat()
    return salted_hmac(_SALT, f"{comment.pk}:{moment}", algorithm="sha256").hexdigest()


def _guest_holds(comment: Comment, key: str) -> bool:
    # As bytes: compare_digest refuses str with characters beyond ASCII (a forged header).
    given = key.encode("utf-8", "surrogateescape")
    return hmac.compare_digest(edit_key_issue(comment).encode(), given)


def own_comment(*, pk: int, who: Caller, edit_key: str) -> Comment:
    """The caller's own comment, still in its edit window; a 404 for any other (a forged id
    tells nothing about comments that exist)."""
    comment = Comment.objects.filter(pk=pk, removed=False).select_related("user__profile").first()
    mine = comment is not None and (
        (who.user is not None and comment.user_id == who.user.pk)
        or (comment.user_id is None and bool(edit_key) and _guest_holds(comment, edit_key))
    )
    if comment is None or not mine:
        raise ApiError(404, "not_found", "You have no comment with this id.")
    if comment.status in (Comment.Status.SPAM, Comment.Status.TRASH):
        raise ApiError(404, "not_found", "You have no comment with this id.")
    window = timedelta(minutes=settings.API_EDIT_MINUTES)
    if timezone.now() - comment.created_at > window:
        raise ApiError(
            403,
            "edit_window_closed",
            f"A comment can be changed for {settings.API_EDIT_MINUTES} minutes after it is "
            "written; ask a moderator to change this one.",
        )
    return comment


@action
def comment_edit_body(*, comment: Comment, body: str) -> Comment:
    """The commenter's new words for their comment (its author and status stay)."""
    body = without_nul(body).replace("\r\n", "\n").strip()
    if not body:
        raise ApiError(
            422,
            "empty",
            "Please type your comment text.",
            fields={"body": "Please type your comment text."},
        )
    if len(body.encode()) > MAX_BODY:
        raise ApiError(
            422, "length", "Your comment is too long.", fields={"body": "Your comment is too long."}
        )
    comment.body, comment.body_html = body, render_comment_markdown(body)
    comment.modified_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "modified_at"])
    comment_changed(
        comment_id=comment.pk,
        post_id=comment.post_id,
        shown=comment.status == Comment.Status.APPROVED,
    )
    return comment


@action
def comment_withdraw(*, comment: Comment) -> None:
    """The commenter takes their comment back: deleted as a moderator deletes it (a reply
    keeps its place under a tombstone)."""
    comment_delete(comment=comment)
