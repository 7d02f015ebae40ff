"""Keep the cached archive list true: any save or delete of a post may change its counts.

Signals rather than calls in the services, so the admin's (bulk) deletes and any other
writer are covered too; queryset .update() sends none, so its callers forget the list.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from broadsheet.publishing.models import Post
from broadsheet.publishing.selectors import archive_months_forget


@receiver(post_save, sender=Post, dispatch_uid="archive-months-on-save")
@receiver(post_delete, sender=Post, dispatch_uid="archive-months-on-delete")
def forget_archive_months(sender: type[Post], **kwargs: Any) -> None:
    archive_months_forget()
