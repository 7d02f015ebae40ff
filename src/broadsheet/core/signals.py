"""Settings rows saved outside `settings_save` (the admin's form) declare its effects."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from broadsheet.core.effects import in_action
from broadsheet.core.models import SiteSettings
from broadsheet.core.services import settings_changed


@receiver(post_save, sender=SiteSettings, dispatch_uid="effects-site-settings")
@receiver(post_delete, sender=SiteSettings, dispatch_uid="effects-site-settings-delete")
def _site_settings_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw") and not in_action():
        settings_changed(settings=instance)
