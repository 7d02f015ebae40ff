from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from broadsheet.core.models import SingletonModel
from broadsheet.publishing.models import Post

MAX_REASON = 100  # a moderation reason from the list (DiscussionSettings.reasons)


def same_email(address: str) -> Exact:
    """Comments left with this address in any case, found through `comment_author_email_ci`."""
    return Exact(Lower("author_email"), Lower(Value(address)))


class Comment(models.Model):
    """One contribution to a post's discussion: a tree node with a moderation status."""

    class Kind(models.TextChoices):
        COMMENT = "comment", pgettext_lazy("comment kind", "Comment")
        PINGBACK = "pingback", _("Pingback")
        TRACKBACK = "trackback", _("Trackback")
        WEBMENTION = "webmention", _("Webmention")
        NOTE = "note", pgettext_lazy("comment kind", "Note")
        FEDIVERSE = "fediverse", _("Fediverse reply")

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Pending")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    # No index of their own for `post` and `thread`: the composite indexes below begin with
    # them (every new comment would otherwise write two more index pages).
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of this comment's thread (itself for a top-level comment): a page
    # of threads and all their replies come in one query.
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    depth = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COMMENT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    previous_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author_name = models.CharField(max_length=245, blank=True)
    author_email = models.CharField(max_length=100, blank=True)
    author_url = models.CharField(max_length=200, blank=True)
    # For moderation only, never shown publicly; anonymised after the retention window.
    ip_address = models.GenericIPAddressField(null=True, blank=True, unpack_ipv4=True)
    user_agent = models.CharField(max_length=254, blank=True)

    body = models.TextField()
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    modified_at = models.DateTimeField(default=timezone.now)

    # Why the comment was held or filed as spam (which rule fired), for the moderation queue.
    moderation_reason = models.CharField(max_length=300, blank=True)
    spam_score = models.FloatField(null=True, blank=True)
    # Deleted while it had replies: the replies stay, under "This comment was deleted."
    removed = models.BooleanField(default=False)
    # The comment as every reader sees it (discussion.rendering.comment_card), built when it is
    # saved approved, as body_html is: a thread of 2,000 comments is then a join of stored
    # strings. `card_key` names the site-wide inputs it was built with; a card built with
    # others (or none yet: imports, a held comment) is rendered when the page is.
    card_html = models.TextField(blank=True, default="", editable=False)
    card_key = models.CharField(max_length=16, blank=True, default="", editable=False)
    # Someone should hear of this comment (it was written or approved) and the worker has not
    # told them yet: set by the write that made or approved it, cleared by the worker's round
    # that writes the emails (notifications.services.comments_notify_due).
    notice_due = models.BooleanField(default=False, editable=False)
    # The post's published version (Post.version) the comment was written on: once the essay
    # has been revised, the comment says "on the version of <date>" (null: before versions).
    post_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # A Webmention's kind (reply, like, repost, bookmark, mention; the webmention app reads it
    # from the source's microformats); blank for every other comment. Likes and reposts are
    # reactions: shown as faces under the essay, never in the thread.
    mention = models.CharField(max_length=8, blank=True, default="", editable=False)
    # Issue 22, read by the page's one query for its comments (no query more for a post
    # without them): when its writer last changed the words (shown "edited" in the card), how
    # many readers like it (kept by discussion.likes with atomic updates), and when it was
    # pinned to the top of the discussion, and by whom ("author" or "moderator").
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    like_count = models.PositiveIntegerField(default=0, editable=False)
    pinned_at = models.DateTimeField(null=True, blank=True, editable=False)
    pinned_as = models.CharField(max_length=9, blank=True, default="", editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["post", "status", "depth", "created_at"], name="comment_top_level"
            ),
            models.Index(fields=["thread", "status"], name="comment_thread"),
            # A post's discussion in page order without sorting the rows (cards included).
            models.Index(fields=["post", "created_at", "id"], name="comment_post_order"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
            # Addresses are compared without case (as WordPress's MySQL collation does): the
            # previously-approved, duplicate and flood checks of every guest comment use this.
            models.Index(Lower("author_email"), name="comment_author_email_ci"),
            models.Index(fields=["ip_address", "created_at"], name="comment_ip"),
            models.Index(fields=["id"], name="comment_notice_due", condition=Q(notice_due=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="comment_depth_matches_parent",
            )
        ]

    REACTIONS = ("like", "repost")

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.display_name} on {self.post_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from broadsheet.discussion.rendering import refresh_card

        if refresh_card(self) and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "card_html", "card_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("discussion:permalink", args=[self.pk])

    def counts_on_post(self, status: str | None = None) -> bool:
        """Whether it is counted in Post.comment_count (with `status`, as it would be with
        that status): approved, not deleted, and in the thread — a Webmention like or repost
        is shown as a face under the essay, not counted as a comment (decision 0080)."""
        return counted(status or self.status, self.removed, self.mention)

    @property
    def display_name(self) -> str:
        if self.removed:
            return ""
        if self.user_id and self.user is not None:
            return self.user.display_name
        return self.author_name or gettext("Anonymous")

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Anchor(models.Model):
    """The passage of the essay a comment responds to, stored as the W3C Web Annotation
    selectors are (core.anchoring.Selector): the passage (a paragraph `p-…`, a footnote `fn-N`
    or a reference `ref-KEY`), a TextQuoteSelector (exact, prefix, suffix) and a
    TextPositionSelector (start, end: offsets into the passage's text), made on the post's
    revision `revision`.

    `state` and the `current_*` columns say where that text is in the post's current published
    version; each revision published re-locates every anchor of the post (decision 0046)."""

    class State(models.TextChoices):
        INTACT = (
            "intact",
            pgettext_lazy("quoted passage", "Unchanged"),
        )  # the same words, where they were
        MOVED = (
            "moved",
            pgettext_lazy("quoted passage", "Moved"),
        )  # the same words, elsewhere in the essay
        EDITED = (
            "edited",
            pgettext_lazy("quoted passage", "Edited"),
        )  # found again, but the words changed
        ORPHANED = (
            "orphaned",
            pgettext_lazy("quoted passage", "Removed"),
        )  # not in the essay any more

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, primary_key=True, related_name="anchor"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    passage = models.CharField(max_length=120)
    exact = models.TextField()
    prefix = models.CharField(max_length=200, blank=True)
    suffix = models.CharField(max_length=200, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    revision = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)

    state = models.CharField(max_length=10, choices=State.choices, default=State.INTACT)
    current_passage = models.CharField(max_length=120, blank=True)
    current_exact = models.TextField(blank=True)
    current_start = models.PositiveIntegerField(null=True, blank=True)
    current_end = models.PositiveIntegerField(null=True, blank=True)
    # The published version the current_* columns were located in.
    located_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["post", "current_passage"], name="anchor_post_passage")]

    def __str__(self) -> str:
        return f"Anchor of comment {self.comment_id} at {self.passage}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """The comment's stored card shows its anchor: saved with it (a comment saved with
        its anchor already attached, `comment.anchor = Anchor(…)`, has that card already and
        costs nothing more). Anchors re-located in bulk mark their cards stale instead
        (discussion.relocation)."""
        from broadsheet.discussion.rendering import refresh_card

        super().save(*args, **kwargs)
        comment = self.comment
        comment.anchor = self  # no query for it while the card is built
        if refresh_card(comment):
            Comment.objects.filter(pk=comment.pk).update(
                card_html=comment.card_html, card_key=comment.card_key
            )


def counted(status: str, removed: bool, mention: str) -> bool:
    """Post.comment_count's rule, for a comment with these values (see Comment.counts_on_post;
    importers.writing.recount_comments is its SQL twin)."""
    return status == Comment.Status.APPROVED and not removed and mention not in Comment.REACTIONS


class CommentRevision(models.Model):
    """An earlier text of a comment, kept when it was edited: moderators read them in the
    queue (an edit that turns a good comment into a bad one is seen for what it was)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    # When this text was replaced, and by whom (null: the guest who wrote it).
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["comment", "replaced_at", "id"]

    def __str__(self) -> str:
        return f"Earlier text of comment {self.comment_id}"


class CommentLike(models.Model):
    """One reader's like of a comment: `reader` is "u:<account id>" or, for a guest, "g:" and
    a keyed hash of their signed cookie's token (discussion.likes). The unique pairs make a
    repeated or raced like count once."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    reader = models.CharField(max_length=80)
    # A guest's address, as a keyed hash (blank for an account): one like per address too.
    address = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader"], name="comment_like_once"),
            models.UniqueConstraint(
                fields=["comment", "address"],
                name="comment_like_once_per_address",
                condition=~Q(address=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Like of comment {self.comment_id}"


class PostLike(models.Model):
    """One reader's like of an essay (DiscussionSettings.post_likes), as CommentLike."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    reader = models.CharField(max_length=80)
    address = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "reader"], name="post_like_once"),
            models.UniqueConstraint(
                fields=["post", "address"],
                name="post_like_once_per_address",
                condition=~Q(address=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Like of post {self.post_id}"


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
