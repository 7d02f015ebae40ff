"""Core's signal receivers: settings rows saved outside `settings_save` declare its effects;
each request starts and ends the request memo; tests switching caches reset the page cache's
worker memory; a web worker's SQLite connections leave checkpoints to its thread."""

from __future__ import annotations

from typing import Any

from django.core.signals import request_finished, request_started, setting_changed
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from broadsheet.core import checkpoints, pagecache, ratecount, requestmemo
from broadsheet.core.effects import in_action
from broadsheet.core.models import SiteSettings
from broadsheet.core.services import settings_changed


@receiver(post_save, sender=SiteSettings, dispatch_uid="effects-site-settings")
@receiver(post_delete, sender=SiteSettings, dispatch_uid="effects-site-settings-delete")
def _site_settings_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw") and not in_action():
        settings_changed(settings=instance)


@receiver(connection_created, dispatch_uid="sqlite-checkpoint-fallback")
def _connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    checkpoints.connection_opened(connection)


@receiver(request_started, dispatch_uid="broadsheet-request-memo-begin")
def _request_started(**kwargs: Any) -> None:
    requestmemo._begin()


@receiver(request_finished, dispatch_uid="broadsheet-request-memo-end")
def _request_finished(**kwargs: Any) -> None:
    requestmemo._end()


@receiver(setting_changed, dispatch_uid="broadsheet-pagecache-settings")
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("CACHES", "PAGE_CACHE"):
        pagecache.forget_worker_memory()
    if setting == "CACHES":  # the shared counters are elsewhere now
        ratecount.tally.forget()
