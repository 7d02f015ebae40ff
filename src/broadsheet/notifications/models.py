from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutgoingEmail(models.Model):
    """The outbox: every email the site sends is a row first, sent later by the worker.

    `key` names the reason for the email ("comment-42-author-7"), so queueing the same email
    twice stores it once, and a retried task never sends it twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    key = models.CharField(max_length=200, unique=True)
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker that claims an email holds it until then; a worker killed meanwhile loses it
    # to the next one when the lease runs out.
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address} ({self.status})"


class ScheduledRun(models.Model):
    """When each periodic job last ran, so a restarted worker neither skips nor repeats it."""

    name = models.CharField(max_length=60, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at}"
