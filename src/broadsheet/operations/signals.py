"""Comments counted by the status they were stored with, for /metrics."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from broadsheet.core.metrics import COMMENTS


def _comment_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        COMMENTS.labels(str(instance.status)).inc()


def register() -> None:
    from broadsheet.discussion.models import Comment

    post_save.connect(_comment_saved, sender=Comment, dispatch_uid="operations-comment-metrics")
