from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models

_CACHE_KEY = "broadsheet:site-settings:v1"


class SiteSettings(models.Model):
    """WordPress's Settings → General: the site's title and tagline, edited in the admin.

    A single row. SITE_NAME and SITE_TAGLINE give the values a new site starts with.
    """

    title = models.CharField(
        max_length=200, blank=True, help_text="Shown in the header and the browser tab."
    )
    tagline = models.CharField(
        max_length=300, blank=True, help_text="In a few words, what this site is about."
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return "Site settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(_CACHE_KEY)

    @classmethod
    def current(cls) -> SiteSettings:
        """The settings, from the shared cache when possible (read on every page)."""
        found = cache.get(_CACHE_KEY)
        if found is None:
            found = cls.objects.filter(pk=1).first() or cls(
                pk=1, title=settings.SITE_NAME, tagline=settings.SITE_TAGLINE
            )
            cache.set(_CACHE_KEY, found, timeout=None)
        return found
