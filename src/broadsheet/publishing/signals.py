"""Writes that bypass publishing's actions — the Django admin's inlines, label edits and
deletes, imports — declare the same effects as the actions (publishing.effects). Inside an
action these stay silent: the action declares its own."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from broadsheet.core.effects import in_action
from broadsheet.core.services import settings_changed
from broadsheet.publishing.effects import (
    SEEN_ELSEWHERE,
    label_changed,
    post_changed,
    post_seen_elsewhere,
)
from broadsheet.publishing.models import (
    Category,
    CitationSettings,
    Post,
    PostAuthor,
    Reference,
    Tag,
)


@receiver(pre_save, sender=Post, dispatch_uid="effects-post-before")
def _post_before(sender: Any, instance: Post, raw: bool = False, **kwargs: Any) -> None:
    instance._effects_before = None  # type: ignore[attr-defined]
    if raw or in_action() or not instance.pk:
        return
    instance._effects_before = (  # type: ignore[attr-defined]
        Post.objects.filter(pk=instance.pk).values(*SEEN_ELSEWHERE).first()
    )


@receiver(post_save, sender=Post, dispatch_uid="effects-post")
def _post_saved(sender: Any, instance: Post, raw: bool = False, **kwargs: Any) -> None:
    if raw or in_action():
        return
    before = getattr(instance, "_effects_before", None)
    post_changed(post_ids=[instance.pk], seen_elsewhere=post_seen_elsewhere(before, instance))


@receiver(post_delete, sender=Post, dispatch_uid="effects-post-delete")
def _post_deleted(sender: Any, instance: Post, **kwargs: Any) -> None:
    if not in_action():
        post_changed(post_ids=[instance.pk], seen_elsewhere=True)


@receiver(post_save, sender=Reference, dispatch_uid="effects-reference")
@receiver(post_delete, sender=Reference, dispatch_uid="effects-reference-delete")
@receiver(post_save, sender=PostAuthor, dispatch_uid="effects-postauthor")
@receiver(post_delete, sender=PostAuthor, dispatch_uid="effects-postauthor-delete")
def _part_changed(sender: Any, instance: Reference | PostAuthor, **kwargs: Any) -> None:
    if not kwargs.get("raw") and not in_action() and instance.post_id:
        post_changed(post_ids=[instance.post_id], seen_elsewhere=False)


@receiver(m2m_changed, sender=Post.tags.through, dispatch_uid="effects-post-tags")
@receiver(m2m_changed, sender=Post.categories.through, dispatch_uid="effects-post-categories")
def _labels_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if in_action():
        return
    if isinstance(instance, Post):
        if action in ("post_add", "post_remove", "post_clear"):
            post_changed(post_ids=[instance.pk], seen_elsewhere=False)
    elif action in ("post_add", "post_remove"):
        post_changed(post_ids=kwargs.get("pk_set") or (), seen_elsewhere=False)
    elif action == "pre_clear":
        # A label losing all its posts: after the clear there is no telling which they were.
        post_changed(post_ids=instance.posts.values_list("pk", flat=True), seen_elsewhere=False)


@receiver(post_save, sender=Category, dispatch_uid="effects-category")
@receiver(post_save, sender=Tag, dispatch_uid="effects-tag")
@receiver(pre_delete, sender=Category, dispatch_uid="effects-category-delete")
@receiver(pre_delete, sender=Tag, dispatch_uid="effects-tag-delete")
def _label_saved(sender: Any, instance: Category | Tag, **kwargs: Any) -> None:
    if kwargs.get("raw") or in_action():
        return
    # A new label labels nothing yet; a renamed or deleted one is searched in its posts.
    posts = () if kwargs.get("created") else instance.posts.values_list("pk", flat=True)
    label_changed(post_ids=list(posts))


@receiver(post_save, sender=CitationSettings, dispatch_uid="effects-citation-settings")
def _citation_settings_saved(sender: Any, instance: CitationSettings, **kwargs: Any) -> None:
    if not kwargs.get("raw") and not in_action():
        settings_changed(settings=instance)
