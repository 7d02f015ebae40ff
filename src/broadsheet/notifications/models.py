from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutgoingEmail(models.Model):
    """The outbox: every email the site sends is a row first, sent later by the worker.

    `key` names the reason for the email ("comment-42-author-7"), so queueing the same email
    twice stores it once, and a retried task never sends it twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("an email's state", "Waiting")
        SENDING = "sending", pgettext_lazy("an email's state", "Being sent")
        SENT = "sent", pgettext_lazy("an email's state", "Sent")
        FAILED = "failed", pgettext_lazy("an email's state", "Gave up")

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


class Subscription(models.Model):
    """WordPress.com's "Notify me of follow-up comments / new posts", confirmed by double opt-in."""

    class Kind(models.TextChoices):
        COMMENTS = "comments", _("Follow-up comments on a post")
        POSTS = "posts", _("New posts")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", pgettext_lazy("a subscription's state", "Active")
        CANCELLED = "cancelled", pgettext_lazy("a subscription's state", "Cancelled")

    email = models.EmailField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    post = models.ForeignKey(
        "publishing.Post",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "kind", "post"], name="subscription_once"),
            models.UniqueConstraint(
                fields=["email", "kind"],
                condition=models.Q(post__isnull=True),
                name="site_subscription_once",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "post"], name="subscription_lookup")]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()} ({self.status})"


class UsedLink(models.Model):
    """A single-use link that was used (a hash of it), so a second click does nothing."""

    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.digest


class FanOut(models.Model):
    """How far a new post's email to subscribers has got, so a stopped worker resumes it."""

    post = models.OneToOneField("publishing.Post", on_delete=models.CASCADE, related_name="fan_out")
    after_id = models.BigIntegerField(default=0)
    done = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"New-post email for {self.post_id}: {'done' if self.done else f'after {self.after_id}'}"
