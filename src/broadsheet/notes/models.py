"""Context notes on an essay or one of its passages, readers' ratings of them, and the scoring
runs that decide which are shown (docs/notes.md; the scorer is notes.scoring)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from broadsheet.core.models import SingletonModel
from broadsheet.publishing.models import Post

MAX_BODY = 1_000  # a note is short: what a reader should know, in a paragraph
MAX_SOURCES = 10


class NoteSettings(SingletonModel):
    """Who may write and rate, how often, and the scorer's parameters. The defaults are the
    Community Notes core model's published ones (docs/decisions, the notes' scorer record)."""

    enabled = models.BooleanField(_("Readers may write and rate context notes"), default=True)
    min_account_days = models.PositiveIntegerField(
        _("Days an account must be old to write notes and to have its ratings scored"), default=7
    )
    require_verified_email = models.BooleanField(
        _("Writers and raters need a verified email address"), default=True
    )
    notes_per_day = models.PositiveIntegerField(_("Notes one account may write a day"), default=5)
    ratings_per_hour = models.PositiveIntegerField(
        _("Ratings one account may make an hour"), default=60
    )
    scoring_interval_minutes = models.PositiveIntegerField(
        _("Minutes between scoring runs at most"), default=5
    )
    min_ratings = models.PositiveSmallIntegerField(
        _("Ratings a note needs to be decided"), default=5
    )
    shown_intercept = models.FloatField(_("Shown: note intercept at least"), default=0.40)
    shown_max_factor = models.FloatField(_("Shown: |note factor| below"), default=0.50)
    unhelpful_base = models.FloatField(_("Not helpful: intercept at most (base)"), default=-0.05)
    unhelpful_slope = models.FloatField(_("Not helpful: minus this × |note factor|"), default=0.8)
    lambda_intercept = models.FloatField(_("Regularisation of intercepts (λ_i)"), default=0.15)
    lambda_factor = models.FloatField(_("Regularisation of factors (λ_f)"), default=0.03)

    class Meta:
        verbose_name = _("Context notes settings")
        verbose_name_plural = _("Context notes settings")

    def __str__(self) -> str:
        return "Context notes settings"


class Status(models.TextChoices):
    NEEDS_MORE_RATINGS = "needs", _("Needs more ratings")
    SHOWN = "shown", _("Shown")
    NOT_HELPFUL = "unhelpful", _("Not helpful")


class Note(models.Model):
    """A reader's note on an essay, or on one passage of it (the passage stored as a comment's
    anchor is: discussion.Anchor; all of those columns empty for a note on the whole essay).
    Never threaded, never shown to readers until a scoring run says so."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="context_notes")
    passage = models.CharField(max_length=120, blank=True)  # "" = the whole essay
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=200, blank=True)
    suffix = models.CharField(max_length=200, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)

    body = models.TextField()  # plain text, at most MAX_BODY characters
    # [{"kind": "url" | "doi" | "reference", "value": …}] as corrections.sources reads them
    sources = models.JSONField(default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="context_notes",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A moderator's removal (breaks the site's rules): hidden everywhere, never scored again.
    removed = models.BooleanField(default=False)

    # Changed only by a scoring run (notes.runs.notes_score), with a StatusChange row.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.NEEDS_MORE_RATINGS
    )
    status_at = models.DateTimeField(null=True, blank=True)
    intercept = models.FloatField(null=True, blank=True)  # from the last run that saw it
    factor = models.FloatField(null=True, blank=True)
    scored_ratings = models.PositiveIntegerField(default=0)  # ratings that run counted
    ratings_count = models.PositiveIntegerField(default=0)  # every rating stored (the queue)

    class Meta:
        # "note" is also a reference's field (publishing.Reference.note): told apart by context.
        verbose_name = pgettext_lazy("context note", "note")
        verbose_name_plural = pgettext_lazy("context note", "notes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["post", "status"], name="note_post_status"),
            models.Index(fields=["status", "ratings_count"], name="note_queue"),
        ]

    def __str__(self) -> str:
        return f"Context note {self.pk} on {self.post_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return f"/notes/{self.pk}/"


class Rating(models.Model):
    """One reader's rating of one note (changeable: one row per reader and note)."""

    class Value(models.TextChoices):
        HELPFUL = "helpful", _("Helpful")
        SOMEWHAT = "somewhat", _("Somewhat helpful")
        NOT_HELPFUL = "not_helpful", _("Not helpful")

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_ratings"
    )
    value = models.CharField(max_length=12, choices=Value.choices)
    reasons = models.JSONField(default=list)  # tags from notes.reasons
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "rater"], name="one_rating_per_reader")
        ]
        indexes = [models.Index(fields=["rater", "created_at"], name="rating_rater_time")]

    def __str__(self) -> str:
        return f"{self.value} on note {self.note_id}"


class ScoringRun(models.Model):
    """One run of the scorer over every scorable rating, as recorded for the notes' pages."""

    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)  # ratings the fit saw
    ignored = models.PositiveIntegerField(default=0)  # stored but not scored (young accounts)
    raters = models.PositiveIntegerField(default=0)
    notes = models.PositiveIntegerField(default=0)
    changes = models.PositiveIntegerField(default=0)  # notes whose status changed
    parameters = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Scoring run {self.pk} at {self.started_at:%Y-%m-%d %H:%M}"


class StatusChange(models.Model):
    """A note's status as one run set it: the note page's history."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="history")
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="status_changes")
    old = models.CharField(max_length=10, choices=Status.choices)
    new = models.CharField(max_length=10, choices=Status.choices)
    intercept = models.FloatField()
    factor = models.FloatField()
    ratings = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Note {self.note_id}: {self.old} → {self.new}"
