from __future__ import annotations

from django.db import models


class Backup(models.Model):
    """No table: the backups are the archives in DATA_DIR/backups/. This model only gives the
    admin its "Operations → Backups" page (administrators only: operations.admin)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = "backup"
        verbose_name_plural = "backups"

    def __str__(self) -> str:
        return "backup"
