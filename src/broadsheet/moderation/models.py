from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from broadsheet.core.models import SingletonModel

MAX_REASON = 100  # a reason from the list
MAX_REASON_TEXT = 200  # a moderator's own words, with "Other"


class DiscussionSettings(SingletonModel):
    """WordPress's Settings → Discussion, with its defaults, plus Broadsheet's spam guards."""

    class FirstPage(models.TextChoices):
        # Translators: "Comments page displayed by default: last / first" (page).
        NEWEST = "newest", pgettext_lazy("comments page", "last")
        OLDEST = "oldest", pgettext_lazy("comments page", "first")

    class Order(models.TextChoices):
        # Translators: "Comments at the top of each page: older / newer / most liked" (comments).
        ASC = "asc", pgettext_lazy("comments at the top", "older")
        DESC = "desc", pgettext_lazy("comments at the top", "newer")
        BEST = "best", pgettext_lazy("comments at the top", "most liked")

    # Other comment settings
    comments_open_by_default = models.BooleanField(
        _("Allow people to submit comments on new posts"), default=True
    )
    require_name_email = models.BooleanField(
        _("Comment author must fill out name and email"), default=True
    )
    comment_registration = models.BooleanField(
        _("Users must be registered and logged in to comment"), default=False
    )
    close_comments_for_old_posts = models.BooleanField(
        _("Automatically close comments on old posts"), default=False
    )
    close_comments_days_old = models.PositiveIntegerField(
        _("Close comments on posts older than (days)"),
        default=14,
        validators=[MinValueValidator(1)],
    )
    show_comments_cookies_opt_in = models.BooleanField(
        _("Show comments cookies opt-in checkbox, allowing comment author cookies to be set"),
        default=True,
    )
    thread_comments = models.BooleanField(_("Enable threaded (nested) comments"), default=True)
    thread_comments_depth = models.PositiveSmallIntegerField(
        _("Levels deep"), default=5, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    page_comments = models.BooleanField(_("Break comments into pages"), default=False)
    comments_per_page = models.PositiveIntegerField(
        _("Top-level comments per page"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    default_comments_page = models.CharField(
        _("Comments page displayed by default"),
        max_length=6,
        choices=FirstPage.choices,
        default=FirstPage.NEWEST,
    )
    comment_order = models.CharField(
        _("Comments at the top of each page"),
        max_length=4,
        choices=Order.choices,
        default=Order.ASC,
    )

    # Email me whenever
    comments_notify = models.BooleanField(
        _("Email the post's authors whenever anyone posts a comment"), default=True
    )
    moderation_notify = models.BooleanField(
        _("Email moderators whenever a comment is held for moderation"), default=True
    )
    # WordPress.com's two checkboxes under the comment form
    show_subscription_options = models.BooleanField(
        _(
            "Offer “Notify me of follow-up comments” and “Notify me of new posts” under the comment form"
        ),
        default=True,
    )
    notification_digest_after = models.PositiveSmallIntegerField(
        _("Emails per person per hour before the rest are gathered into one digest"),
        default=3,
        validators=[MinValueValidator(1)],
    )

    # Before a comment appears
    comment_moderation = models.BooleanField(_("Comment must be manually approved"), default=False)
    comment_previously_approved = models.BooleanField(
        _("Comment author must have a previously approved comment"), default=True
    )

    # Comment moderation
    comment_max_links = models.PositiveSmallIntegerField(
        _("Hold a comment in the queue if it contains this many or more links"), default=2
    )
    moderation_keys = models.TextField(
        _("Moderation words"),
        blank=True,
        help_text=_(
            "One word or IP address per line. A comment whose content, name, URL, email, IP "
            "address or browser's user agent contains one of them is held in the queue. "
            "Words inside words match too: “press” matches “WordPress”."
        ),
    )
    disallowed_keys = models.TextField(
        _("Disallowed comment keys"),
        blank=True,
        help_text=_(
            "One word or IP address per line, matched the same way; such comments go to the Trash."
        ),
    )

    # Broadsheet's own guards against bots
    minimum_seconds_on_page = models.PositiveSmallIntegerField(
        _("Minimum seconds between opening the page and posting"),
        default=3,
        help_text=_("Faster submissions are filed as spam: people need a moment to write."),
    )
    spam_threshold = models.FloatField(
        _("Spam score threshold"),
        default=0.9,
        validators=[MinValueValidator(0.5), MaxValueValidator(1.0)],
        help_text=_(
            "Comments the learning filter scores at or above this go to spam (0.5 is neutral)."
        ),
    )

    # Avatars and privacy
    show_avatars = models.BooleanField(_("Show avatars"), default=True)
    use_gravatar = models.BooleanField(
        _("Use Gravatar"),
        default=False,
        help_text=_(
            "Off: every avatar is an identicon drawn by this site. On: readers' browsers ask "
            "gravatar.com for a picture, which tells Gravatar who reads which post."
        ),
    )
    ip_retention_days = models.PositiveIntegerField(
        _("Keep commenters' IP addresses for (days)"),
        default=60,
        validators=[MinValueValidator(1)],
        help_text=_("Afterwards they are anonymised (the last part zeroed)."),
    )
    empty_trash_days = models.PositiveIntegerField(
        _("Empty trash and spam after (days)"), default=30, validators=[MinValueValidator(1)]
    )

    # The public moderation log (decision 0054)
    public_moderation_log = models.BooleanField(
        _("Publish a moderation log"),
        default=False,
        help_text=_(
            "When a published comment is held, trashed or marked as spam, its thread says "
            "“A comment by … was removed on …: (the reason)” in its place, and /moderation/log/ lists "
            "every such removal, with a feed."
        ),
    )
    moderation_reasons = models.TextField(
        _("Reasons for removing a comment"),
        default="Spam\nOff-topic\nPersonal attack\nDuplicate",
        help_text=_(
            "One per line, offered to moderators when the log is on; “Other” (with their own "
            "words) is always offered too. Spam is the Spam button's reason, the first other line "
            "that of Unapprove and Trash."
        ),
    )

    # Issue 22: likes, pins and readers' reports
    comment_likes = models.BooleanField(_("Readers may like comments"), default=True)
    post_likes = models.BooleanField(_("Readers may like the essay itself"), default=False)
    collapse_below = models.SmallIntegerField(
        _("Collapse comments with fewer likes than"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        help_text=_(
            "0 shows every comment open. Collapsed comments open with a click (no script "
            "needed). Only used when threads are ordered most liked first."
        ),
    )
    max_pinned = models.PositiveSmallIntegerField(
        _("Pinned comments per post"),
        default=3,
        validators=[MaxValueValidator(20)],
        help_text=_(
            "Authors and moderators pin comments to the top of the discussion; 0 turns pinning off."
        ),
    )
    reports_to_hold = models.PositiveSmallIntegerField(
        _("Hold a comment after this many readers report it"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = verbose_name_plural = _("discussion settings")

    def __str__(self) -> str:
        return str(_("Discussion settings"))

    @property
    def max_depth(self) -> int:
        return self.thread_comments_depth if self.thread_comments else 1

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip().lower() for line in text.splitlines() if line.strip()]

    @property
    def moderation_words(self) -> list[str]:
        return self._lines(self.moderation_keys)

    @property
    def disallowed_words(self) -> list[str]:
        return self._lines(self.disallowed_keys)

    @property
    def reasons(self) -> list[str]:
        """The reasons offered, as written (case kept), each once, at most 100 characters."""
        found: list[str] = []
        for line in self.moderation_reasons.splitlines():
            reason = line.strip()[:MAX_REASON]
            if reason and reason.lower() not in (r.lower() for r in found):
                found.append(reason)
        return found


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
