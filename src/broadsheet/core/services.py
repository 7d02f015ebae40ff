"""Writes core owns: the settings rows every page reads."""

from __future__ import annotations

from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.core.models import SingletonModel


def settings_changed(*, settings: SingletonModel) -> None:
    """Every page shows the settings (title, tagline) or is built by them (discussion): every
    page is stale, and the apps that read the row are told (effects.SETTINGS)."""
    effects.pages(site=True)
    effects.settings_changed(settings._meta.label_lower)


@action
def settings_save(*, settings: SingletonModel) -> SingletonModel:
    """Save a settings row (Settings → General, Settings → Discussion)."""
    settings.save()
    settings_changed(settings=settings)
    return settings
