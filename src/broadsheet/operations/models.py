from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Backup(models.Model):
    """No table: the backups are the archives in DATA_DIR/backups/. This model only gives the
    admin its "Operations → Backups" page (administrators only: operations.admin)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("backup")
        verbose_name_plural = _("backups")

    def __str__(self) -> str:
        return "backup"
