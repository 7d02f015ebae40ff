"""Webmentions received (`Mention`: one per source and target, its comment in the discussion)
and sent (`Sent`: one per essay and page it links to)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post

MAX_URL = 500


class Mention(models.Model):
    """A Webmention received: queued when it arrives, verified by the worker (the source
    fetched and read), its comment kept in step with the source on every re-send."""

    class Kind(models.TextChoices):
        REPLY = "reply", pgettext_lazy("webmention kind", "Reply")
        LIKE = "like", pgettext_lazy("webmention kind", "Like")
        REPOST = "repost", _("Repost")
        BOOKMARK = "bookmark", _("Bookmark")
        MENTION = "mention", pgettext_lazy("webmention kind", "Mention")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        REMOVED = "removed", _("Removed: the source is gone or no longer links here")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # its status page
    source = models.CharField(max_length=MAX_URL)
    target = models.CharField(max_length=MAX_URL)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    comment = models.OneToOneField(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MENTION)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=300, blank=True)  # why refused or removed
    author_photo = models.CharField(max_length=MAX_URL, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="mention_source_target")
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.source}"


class Sent(models.Model):
    """A Webmention this site sends for an essay to a page it links to."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENT = "sent", _("Sent")
        NO_ENDPOINT = "none", _("The page has no Webmention endpoint")
        FAILED = "failed", _("Failed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=MAX_URL)
    endpoint = models.CharField(max_length=MAX_URL, blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.QUEUED)
    answer = models.PositiveSmallIntegerField(null=True, blank=True)  # the endpoint's status
    reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    tried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sent webmention")
        verbose_name_plural = _("sent webmentions")
        constraints = [models.UniqueConstraint(fields=["post", "target"], name="sent_post_target")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.target}: {self.status}"
