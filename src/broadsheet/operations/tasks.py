"""The daily backup: claimed once a day by the worker's schedule, run from its task queue."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from broadsheet.core import periodic

logger = logging.getLogger(__name__)


@task()
def backup_daily() -> str:
    """A backup into DATA_DIR/backups/, then all but the newest BACKUP_KEEP deleted."""
    from broadsheet.operations.backup import backup_create, backups_prune

    result = backup_create()
    removed = backups_prune(keep=settings.BACKUP_KEEP)
    logger.info("Daily backup %s (%d bytes); removed %s", result.path, result.size, removed)
    return result.path.name


def _queue_backup() -> None:
    # Queued rather than run in the schedule's thread: a long backup must not hold up
    # scheduled posts and email.
    backup_daily.enqueue()


def register() -> None:
    periodic.every("backup", timedelta(days=1), enabled=lambda: settings.BACKUP_KEEP > 0)(
        _queue_backup
    )
