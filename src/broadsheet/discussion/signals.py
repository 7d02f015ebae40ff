"""Writes to comments and to the Discussion settings that bypass the actions (demo content,
imports, the test factories, the admin) declare the same effects as the actions
(discussion.effects); silent inside an action.

An account deleted outside an action (the admin) leaves its comments, their user set to none
with no save of theirs: their pages, search rows and cards are found before it goes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from broadsheet.accounts.models import User
from broadsheet.core.effects import in_action
from broadsheet.core.services import settings_changed
from broadsheet.discussion.effects import comment_changed, comments_rewritten
from broadsheet.discussion.models import Comment, DiscussionSettings

_APPROVED = Comment.Status.APPROVED


@receiver(pre_save, sender=Comment, dispatch_uid="effects-comment-before")
def _comment_before(sender: Any, instance: Comment, raw: bool = False, **kwargs: Any) -> None:
    """Whether the comment was approved before this save, looked up only when it matters: an
    update that may change the status of a comment not approved now."""
    instance._effects_was_approved = False  # type: ignore[attr-defined]
    if raw or in_action() or instance.pk is None or instance._state.adding:
        return
    if instance.status == _APPROVED:
        return  # shown now: the pages change whatever it was
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "status" not in update_fields:
        return  # the status is not written: it stays what it is, not approved
    before = Comment.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    instance._effects_was_approved = before == _APPROVED  # type: ignore[attr-defined]


@receiver(post_save, sender=Comment, dispatch_uid="effects-comment")
def _comment_saved(sender: Any, instance: Comment, raw: bool = False, **kwargs: Any) -> None:
    if raw or in_action():
        return
    shown = instance.status == _APPROVED or getattr(instance, "_effects_was_approved", False)
    comment_changed(comment_id=instance.pk, post_id=instance.post_id, shown=shown)


@receiver(post_delete, sender=Comment, dispatch_uid="effects-comment-delete")
def _comment_deleted(sender: Any, instance: Comment, **kwargs: Any) -> None:
    if not in_action():
        shown = instance.status == _APPROVED
        comment_changed(comment_id=instance.pk, post_id=instance.post_id, shown=shown)


@receiver(pre_delete, sender=User, dispatch_uid="effects-user-comments")
def _account_deleted(sender: Any, instance: User, **kwargs: Any) -> None:
    if in_action():
        return
    rows = list(Comment.objects.filter(user_id=instance.pk).values_list("pk", "post_id"))
    if rows:
        comments_rewritten(comment_ids=[r[0] for r in rows], post_ids={r[1] for r in rows})


@receiver(post_save, sender=DiscussionSettings, dispatch_uid="effects-discussion-settings")
@receiver(post_delete, sender=DiscussionSettings, dispatch_uid="effects-discussion-settings-del")
def _discussion_settings_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The Discussion settings saved outside `settings_save` (the admin) declare its effects."""
    if not kwargs.get("raw") and not in_action():
        settings_changed(settings=instance)
