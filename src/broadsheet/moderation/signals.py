"""The discussion settings saved outside `settings_save` declare its effects."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from broadsheet.core.effects import in_action
from broadsheet.core.services import settings_changed
from broadsheet.moderation.models import DiscussionSettings


@receiver(post_save, sender=DiscussionSettings, dispatch_uid="effects-discussion-settings")
@receiver(post_delete, sender=DiscussionSettings, dispatch_uid="effects-discussion-settings-del")
def _discussion_settings_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw") and not in_action():
        settings_changed(settings=instance)
