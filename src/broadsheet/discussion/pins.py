"""Pinned comments: a post's authors and the moderators pin a thread to the top of its
discussion ("Pinned by the author"), at most a few per post (decision 0091)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.discussion.models import Comment


class PinRefused(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def pinner_role(*, comment: Comment, user: Any) -> str:
    """ "author" for one of the post's authors, "moderator" for a moderator, else ""."""
    if user is None or not user.is_authenticated:
        return ""
    if comment.post.authors.filter(pk=user.pk).exists():
        return "author"
    if user.is_staff and user.has_perm("discussion.change_comment"):
        return "moderator"
    return ""


@action
def comment_pin(*, comment: Comment, user: Any, pin: bool, most: int) -> Comment:
    """Pin (or unpin) a top-level approved comment; `most` pinned per post at a time."""
    locked = (
        Comment.objects.select_for_update(of=("self",)).select_related("post").get(pk=comment.pk)
    )
    role = pinner_role(comment=locked, user=user)
    if not role:
        raise PinRefused(_("Only the post's authors and moderators pin comments."), status=403)
    if locked.status != Comment.Status.APPROVED or locked.removed or locked.depth:
        raise PinRefused(_("Only a published comment that starts a thread can be pinned."))
    if pin == (locked.pinned_at is not None):
        return locked
    if pin:
        pinned = Comment.objects.filter(post_id=locked.post_id, pinned_at__isnull=False).count()
        if pinned >= most:
            message = ngettext(
                "At most %(most)d comment can be pinned on a post; unpin it first.",
                "At most %(most)d comments can be pinned on a post; unpin one first.",
                most,
            )
            raise PinRefused(message % {"most": most}, status=409)
    locked.pinned_at = timezone.now() if pin else None
    locked.pinned_as = role if pin else ""
    locked.save(update_fields=["pinned_at", "pinned_as"])
    effects.pages(posts=[locked.post_id])
    return locked
