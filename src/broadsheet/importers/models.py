"""What imports remember: which object each source record became (so a second run, or a run
resumed after an interruption, changes nothing already done) and each run's progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportedObject(models.Model):
    """Source record → object here. `source` names the origin, e.g. `wordpress:https://old.blog`
    or `disqus:forum-name`; `kind` is author/category/tag/post/comment; `source_id` its id there."""

    source = models.CharField(max_length=300)
    kind = models.CharField(max_length=20)
    source_id = models.CharField(max_length=300)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="imported_object_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="imported_object_target")]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id} → {self.object_id}"


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    format = models.CharField(max_length=20)  # wordpress, disqus, isso, json
    file_name = models.CharField(max_length=300)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    # An uploaded file waiting for (or being read by) the worker; empty for the command line.
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(default=False)
    # WordPress only: "download" copies the posts' images into this site's media.
    media = models.CharField(max_length=10, default="keep")
    # Items fully written (committed with their batch): a resumed run starts after them.
    checkpoint = models.PositiveIntegerField(default=0)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    report = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} import of {self.file_name}"
