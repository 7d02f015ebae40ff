from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from broadsheet.core.requestmemo import forget, remembered


class SingletonModel(models.Model):
    """A settings row edited in the admin, read on many pages: kept in the shared cache.

    Saving clears the cached copy: the worker that saved sees the change at once, every other
    worker within a quarter of a second (core.requestmemo).
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self._cache_key())
        forget(self._cache_key())

    @classmethod
    def _cache_key(cls) -> str:
        return f"broadsheet:settings:{cls._meta.label_lower}:v1"

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {}

    @classmethod
    def current(cls) -> Self:
        return remembered(cls._cache_key(), cls._read)

    @classmethod
    def _read(cls) -> Self:
        found = cache.get(cls._cache_key())
        if found is None:
            found = cls._default_manager.filter(pk=1).first() or cls(pk=1, **cls.defaults())
            cache.set(cls._cache_key(), found, timeout=None)
        return found


class SiteSettings(SingletonModel):
    """WordPress's Settings → General: the site's title and tagline, edited in the admin.

    SITE_NAME and SITE_TAGLINE give the values a new site starts with.
    """

    title = models.CharField(
        max_length=200, blank=True, help_text=_("Shown in the header and the browser tab.")
    )
    tagline = models.CharField(
        max_length=300, blank=True, help_text=_("In a few words, what this site is about.")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(_("Site settings"))

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {"title": settings.SITE_NAME, "tagline": settings.SITE_TAGLINE}

    @property
    def shown_title(self) -> str:
        """The title the site goes by: this row's, or SITE_NAME while it has none."""
        return self.title or settings.SITE_NAME
