"""A reader's suggested correction to one passage of an essay, and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from broadsheet.publishing.models import Post

# The sizes a reader may send (checked with a message by the form; the columns hold them).
MAX_TEXT = 5_000  # what is wrong, the proposed fix, the note, the reason
MAX_SOURCES = 10
MAX_SOURCE = 500
MAX_NAME, MAX_EMAIL = 245, 100  # as a comment's (discussion.services)


class Correction(models.Model):
    """Private until accepted: only the essay's authors and the Editors see a suggestion; an
    accepted one is published at the end of the essay with the author's note (`note`).

    The passage is stored as a comment's anchor is (discussion.Anchor): the passage id, the
    quote with its context and its position, on the post's revision and version of the day."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="corrections")
    passage = models.CharField(max_length=120)
    exact = models.TextField()
    prefix = models.CharField(max_length=200, blank=True)
    suffix = models.CharField(max_length=200, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    revision = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)

    problem = models.TextField()  # what is wrong
    fix = models.TextField()  # the proposed fix
    # [{"kind": "url" | "doi" | "reference", "value": "https://…" | "10.…/…" | "<key>"}]
    sources = models.JSONField(default=list)
    credit = models.BooleanField(default=False)  # may the published list name them?
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=MAX_NAME)
    email = models.CharField(max_length=MAX_EMAIL)
    created_at = models.DateTimeField(default=timezone.now)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)  # accepted: what changed, published
    reason = models.TextField(blank=True)  # declined: emailed to the proposer, never published
    # The post's published version when it was accepted (the corrected text, or the one before).
    accepted_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["post", "status"], name="correction_post_status"),
            models.Index(fields=["status", "decided_at"], name="correction_published"),
        ]

    def __str__(self) -> str:
        return f"Correction {self.pk} to {self.post_id} ({self.status})"

    @property
    def credited_name(self) -> str:
        """The name the published list shows, or "" when they did not agree to be named."""
        return self.name if self.credit else ""
