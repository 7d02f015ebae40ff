from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from broadsheet.discussion.models import MAX_REASON

MAX_REASON_TEXT = 200  # a moderator's own words, with "Other"


class SpamToken(models.Model):
    """How often a token was seen in comments moderators called spam, and in ones they kept."""

    token = models.CharField(max_length=120, unique=True)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("spam token")
        verbose_name_plural = _("spam tokens")

    def __str__(self) -> str:
        return f"{self.token} ({self.spam}/{self.ham})"


class SpamCorpus(models.Model):
    """Totals of trained comments (a single row)."""

    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = _("spam corpus")

    def __str__(self) -> str:
        return f"{self.spam} spam, {self.ham} kept"


class RemovalEntry(models.Model):
    """One line of the public moderation log: a comment readers saw was taken down (held,
    marked as spam or trashed), when and why. One per comment, the latest decision; approving
    the comment again deletes it (decision 0054).

    The name shown is read from the comment, never copied here: once the comment is deleted
    for good (the trash emptied, the writer's data erased) the entry says "A comment".
    """

    class Action(models.TextChoices):
        HOLD = "hold", _("held")
        SPAM = "spam", _("marked as spam")
        TRASH = "trash", _("trashed")

    comment = models.OneToOneField(
        "discussion.Comment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="removal_entry",
    )
    post = models.ForeignKey("publishing.Post", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=5, choices=Action.choices)
    reason = models.CharField(max_length=MAX_REASON)
    text = models.CharField(_("Other reason"), max_length=MAX_REASON_TEXT, blank=True)
    removed_at = models.DateTimeField(db_index=True)
    # Who decided: for the staff, never shown on the public log.
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("removal entry")
        verbose_name_plural = _("removal entries")
        ordering = ("-removed_at", "-id")
        verbose_name_plural = _("removal entries")

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.removed_at:%Y-%m-%d}: {self.shown_reason}"

    @property
    def shown_reason(self) -> str:
        """The reason as readers read it: the list's words, or the moderator's own."""
        return self.text or self.reason


class Report(models.Model):
    """A reader's report of a comment: one per reader and comment (`reader` as a like's:
    "u:<id>" or "g:<keyed hash>"), shown in the queue with the others' counts and reasons."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abuse")
        OFF_TOPIC = "offtopic", _("Off topic")
        OTHER = "other", _("Other")

    comment = models.ForeignKey(
        "discussion.Comment", on_delete=models.CASCADE, related_name="reports"
    )
    reader = models.CharField(max_length=80)
    address = models.CharField(max_length=64, blank=True, default="")
    reason = models.CharField(max_length=8, choices=Reason.choices)
    text = models.CharField(max_length=MAX_REASON_TEXT, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader"], name="report_once_per_reader"),
            models.UniqueConstraint(
                fields=["comment", "address"],
                name="report_once_per_address",
                condition=~models.Q(address=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Report of comment {self.comment_id}: {self.reason}"


class Ban(models.Model):
    """A commenter barred by a moderator until `until` (null: for good): an account, an email
    address (any case) or an address range (CIDR; one address is a /32 or /128)."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Account")
        EMAIL = "email", _("Email address")
        NETWORK = "network", _("Address range")

    kind = models.CharField(max_length=7, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    value = models.CharField(
        max_length=100, blank=True, help_text=_("The email address, or the range (CIDR).")
    )
    reason = models.CharField(max_length=MAX_REASON_TEXT, blank=True)
    hide_comments = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lifted_at", "until"], name="ban_in_force")]

    def __str__(self) -> str:
        return f"Ban of {self.shown}"

    @property
    def shown(self) -> str:
        if self.kind == self.Kind.ACCOUNT:
            return f"account {self.user}" if self.user_id else "a deleted account"
        return self.value

    def in_force(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.lifted_at is None and (self.until is None or self.until > now)
