"""Approve / Spam / Trash from a moderation email: its links act only on the comment as the
email described it, and using one uses up all three.

Each link names the comment, its action, the status the comment had when the email was written
and the email's own id (shared by its three links and by the copies sent to each moderator).
Trash, then Approve from the same email, would otherwise publish a trashed comment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext, pgettext, pgettext_lazy

from broadsheet.discussion.models import Comment
from broadsheet.moderation.services import comment_apply
from broadsheet.notifications.links import LinkError, absolute, link_used, make_token, use_once

_SHOWN: dict[str, Any] = {
    # Translators: a comment's state, in "This comment is no longer … : it is now …."
    Comment.Status.APPROVED: pgettext_lazy("comment state", "approved"),
    Comment.Status.PENDING: pgettext_lazy("comment state", "waiting for moderation"),
    Comment.Status.SPAM: pgettext_lazy("comment state", "marked as spam"),
    Comment.Status.TRASH: pgettext_lazy("comment state", "in the Trash"),
}


@dataclass(frozen=True)
class ModerationLink:
    comment_id: int
    action: str
    status: str  # what the comment was when the email was written
    email_id: str  # one per email: its links are used up together
    token: str


def moderation_email_id() -> str:
    return uuid.uuid4().hex


def moderation_link(comment: Comment, action: str, *, email_id: str = "") -> str:
    payload = {"c": comment.pk, "a": action, "s": comment.status, "e": email_id or uuid.uuid4().hex}
    return absolute(reverse("notifications:moderate", args=[make_token("moderate", payload)]))


def moderation_link_from(data: dict[str, Any], token: str) -> ModerationLink:
    """The link's contents (read from a checked token). Links written before they named a status
    and an email came only with held comments, and each is used up on its own."""
    comment_id = data.get("c")
    return ModerationLink(
        comment_id=comment_id if isinstance(comment_id, int) else 0,
        action=str(data.get("a", "")),
        status=str(data.get("s") or Comment.Status.PENDING),
        email_id=str(data.get("e") or ""),
        token=token,
    )


def _use_key(link: ModerationLink) -> str:
    return f"moderation-email:{link.email_id}" if link.email_id else link.token


def moderation_link_problem(link: ModerationLink, comment: Comment) -> str:
    """Why the link can no longer act ("" when it can), in a sentence for the moderator."""
    if link_used(_use_key(link)):
        return gettext("A link in this email was already used.")
    return _changed(link, comment)


def _changed(link: ModerationLink, comment: Comment) -> str:
    if comment.status == link.status and not comment.removed:
        return ""
    now = (
        pgettext("comment state", "deleted")
        if comment.removed
        else _SHOWN.get(comment.status, comment.status)
    )
    was = _SHOWN.get(link.status, link.status)
    return gettext("This comment is no longer %(was)s: it is now %(now)s.") % {
        "was": was,
        "now": now,
    }


@transaction.atomic
def comment_moderate_by_link(*, link: ModerationLink) -> Comment:
    """Apply the link's action if the comment is still as the email described it, using up the
    email's links; otherwise raise LinkError and change nothing."""
    try:
        use_once(_use_key(link))
    except LinkError:
        raise LinkError(gettext("A link in this email was already used.")) from None
    comment = Comment.objects.select_for_update().filter(pk=link.comment_id).first()
    if comment is None:
        raise LinkError(gettext("That comment no longer exists."))
    problem = _changed(link, comment)
    if problem:
        raise LinkError(problem)  # the rollback gives the email its links back
    applied = comment_apply(comment=comment, action=link.action)
    assert applied is not None  # approve, spam and trash never delete
    return applied
