"""The API's own writes: a commenter's edit and deletion of their own comment, within
settings.API_EDIT_MINUTES of writing it. Writing one goes through discussion's comment_submit,
as the form's does; moderating through moderation's actions."""

from __future__ import annotations

import hmac
from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, ngettext

from broadsheet.api.auth import Caller
from broadsheet.api.errors import ApiError
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import CommentRejected, comment_edit_own
from broadsheet.discussion.services import comment_withdraw as discussion_withdraw

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
        raise ApiError(404, "not_found", gettext("You have no comment with this id."))
    if comment.status in (Comment.Status.SPAM, Comment.Status.TRASH):
        raise ApiError(404, "not_found", gettext("You have no comment with this id."))
    window = timedelta(minutes=settings.API_EDIT_MINUTES)
    if timezone.now() - comment.created_at > window:
        raise ApiError(
            403,
            "edit_window_closed",
            ngettext(
                "A comment can be changed for %(minutes)s minute after it is written; ask a "
                "moderator to change this one.",
                "A comment can be changed for %(minutes)s minutes after it is written; ask a "
                "moderator to change this one.",
                settings.API_EDIT_MINUTES,
            )
            % {"minutes": settings.API_EDIT_MINUTES},
        )
    return comment


def comment_edit_body(*, comment: Comment, body: str, editor_id: int | None = None) -> Comment:
    """The commenter's new words, through the site's own edit (discussion.services): the
    earlier text kept, the rules run again."""
    try:
        return comment_edit_own(
            comment=comment, body=body, editor_id=editor_id, minutes=settings.API_EDIT_MINUTES
        )
    except CommentRejected as refused:
        if refused.code == "edit_window_closed":
            raise ApiError(403, refused.code, refused.message) from None
        raise ApiError(
            422, refused.code, refused.message, fields={"body": refused.message}
        ) from None


def comment_withdraw(*, comment: Comment) -> None:
    """The commenter takes their comment back (a reply keeps its place under a tombstone)."""
    try:
        discussion_withdraw(comment=comment, minutes=settings.API_EDIT_MINUTES)
    except CommentRejected as refused:
        raise ApiError(403, refused.code, refused.message) from None
