"""ActivityPub: this site's actors (the site and each author, with their keys), the remote
actors it knows, who follows whom, what it sent (one row per activity and per inbox, so a
restarted worker never delivers twice), what it received into the discussion, and blocks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post

MAX_URL = 500


class LocalActor(models.Model):
    """The site (no user) or one author, as an ActivityPub actor with its RSA key pair."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    username = models.CharField(max_length=150, unique=True)  # preferredUsername
    private_key_pem = models.TextField(editable=False)
    public_key_pem = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Left the fediverse (`broadsheet federation_leave`): its documents answer 410 Gone.
    left_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username


class RemoteActor(models.Model):
    """An actor on another server, as its document said when it was last fetched."""

    uri = models.CharField(max_length=MAX_URL, unique=True)
    key_id = models.CharField(max_length=MAX_URL, db_index=True)
    public_key_pem = models.TextField()
    inbox = models.CharField(max_length=MAX_URL)
    shared_inbox = models.CharField(max_length=MAX_URL, blank=True)
    name = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=MAX_URL, blank=True)  # their profile page
    icon = models.CharField(max_length=MAX_URL, blank=True)  # kept, never shown (decision 0081)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("remote actor")
        verbose_name_plural = _("remote actors")

    def __str__(self) -> str:
        return self.uri

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return (urlsplit(self.uri).hostname or "").lower()


class Block(models.Model):
    """A server (its host name) or one actor (its id) refused by a moderator; the setting
    FEDERATION_BLOCKED names more."""

    target = models.CharField(max_length=MAX_URL, unique=True)  # a host, or an actor's id
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")

    def __str__(self) -> str:
        return self.target


class Follower(models.Model):
    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="followers")
    remote = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="+")
    follow_id = models.CharField(max_length=MAX_URL)  # the Follow activity, named in Accept
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["actor", "remote"], name="federation_follower_once")
        ]

    def __str__(self) -> str:
        return f"{self.remote} follows {self.actor}"


class Outgoing(models.Model):
    """An activity this site sent (Create, Update, Delete of an essay or an answer; Accept)."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)  # Create, Update, Delete, Accept
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")  # fmt: skip
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")  # fmt: skip
    # The answer's id, kept when its row is deleted (its Delete is still to be sent).
    comment_ref = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=0)  # the essay's version it carries
    document = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["post", "kind"], name="federation_outgoing_post")]

    def __str__(self) -> str:
        return f"{self.kind} {self.token}"


class Delivery(models.Model):
    """One activity to one inbox: queued, sent, or failed (after its attempts)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Given up")

    activity = models.ForeignKey(Outgoing, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.CharField(max_length=MAX_URL)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    answer = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    tried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox"], name="federation_delivery_once")
        ]
        indexes = [models.Index(fields=["activity", "status"], name="federation_delivery_due")]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.inbox}: {self.status}"


class Remote(models.Model):
    """Something from the fediverse in the discussion: a reply (its Note) or a Like or an
    Announce (its activity), with the comment that shows it."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Reply")
        LIKE = "like", _("Like")
        ANNOUNCE = "announce", _("Boost")

    object_id = models.CharField(max_length=MAX_URL, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    comment = models.OneToOneField(Comment, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    url = models.CharField(max_length=MAX_URL, blank=True)  # the original, for readers
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class Seen(models.Model):
    """A signature already accepted: the same one again is a replay, and refused."""

    digest = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.digest
