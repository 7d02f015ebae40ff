"""The public moderation log (decision 0054): why a comment readers saw was taken down.

Off by default. When a site turns it on, holding, trashing or marking spam a published comment
records a `RemovalEntry` with a reason from the list in the discussion settings (decision
0055); the thread shows a notice in the comment's place and `/moderation/log/` lists them.
The reason is picked before the button is pressed, or is the button's own: a keyboard
shortcut stays one keystroke per decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from broadsheet.core.sanitize import without_nul
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.selectors import removal_notices
from broadsheet.moderation.models import MAX_REASON_TEXT, RemovalEntry
from broadsheet.publishing.models import Post

Status = Comment.Status
Action = RemovalEntry.Action
OTHER = "other"  # the select's value for "Other", with the moderator's own words
NO_REASON = "No reason given"  # only when the site's list of reasons is empty
LOG_PER_PAGE = 50

# The statuses a logged decision moves a comment to, and what the log calls them.
LOGGED: dict[str, str] = {Status.PENDING: Action.HOLD, Status.SPAM: Action.SPAM,
                          Status.TRASH: Action.TRASH}  # fmt: skip


@dataclass(frozen=True)
class Reason:
    """What a moderator chose: a line of the list, "other" with their words, or "" for the
    button's own reason (a keyboard shortcut, the email's links, a bulk action left as is)."""

    choice: str = ""
    text: str = ""
    moderator_id: int | None = None


def default_reason(action: str, reasons: list[str]) -> str:
    """Spam's reason is the list's "Spam" line; Unapprove's and Trash's the first other one."""
    spam = [r for r in reasons if r.lower() == "spam"]
    rest = [r for r in reasons if r.lower() != "spam"]
    if action == Action.SPAM:
        return (spam or reasons or [NO_REASON])[0]
    return (rest or reasons or [NO_REASON])[0]


def resolved(reason: Reason, action: str, settings: DiscussionSettings) -> tuple[str, str]:
    """(reason, text) as stored. A choice no longer in the list (edited since the page was
    drawn) falls back to the button's own reason rather than storing words nobody chose."""
    if reason.text:
        return "Other", reason.text
    wanted = {r.lower(): r for r in settings.reasons}.get(reason.choice.lower())
    return wanted or default_reason(action, settings.reasons), ""


def removal_record(*, comment: Comment, was: str, reason: Reason) -> bool:
    """Write (or update) the comment's entry after a logged decision; True when the public
    log changed. Only comments readers saw are logged: a held comment trashed was never
    public, unless it was logged when it was held."""
    settings = DiscussionSettings.current()
    action = LOGGED.get(comment.status)
    if action is None or not settings.public_moderation_log:
        return False
    entry = RemovalEntry.objects.filter(comment=comment).first()
    if entry is None and was != Status.APPROVED:
        return False
    entry = entry or RemovalEntry(comment=comment, post_id=comment.post_id)
    entry.reason, entry.text = resolved(reason, action, settings)
    entry.action, entry.removed_at = action, comment.status_changed_at or timezone.now()
    entry.moderator_id = reason.moderator_id
    entry.save()
    return True


def removal_forget(*, comment: Comment) -> bool:
    """The comment is published again: its entry goes. True when the public log changed."""
    deleted = RemovalEntry.objects.filter(comment=comment).delete()[0]
    return bool(deleted) and DiscussionSettings.current().public_moderation_log


def removal_logged(*, comment: Comment) -> bool:
    """Whether the public log shows an entry for this comment (its name, its notice)."""
    if not DiscussionSettings.current().public_moderation_log:
        return False
    return RemovalEntry.objects.filter(comment=comment).exists()


def day(moment: datetime) -> str:
    """The day in the active language's format ("March 14, 2026" in English)."""
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def notice(name: str, removed_at: datetime, reason: str) -> str:
    """The sentence readers read, as plain text (escaped where it is put in a page). The
    reason is the site's own words (its list of reasons, or the moderator's): not translated."""
    if name:
        # Translators: in a comment's place in the thread, and in the public moderation log.
        sentence = _("A comment by %(name)s was removed on %(day)s: %(reason)s")
    else:
        sentence = _("A comment was removed on %(day)s: %(reason)s")
    return sentence % {"name": name, "day": day(removed_at), "reason": reason}


@removal_notices
def _thread_notices(post_id: int, settings: DiscussionSettings) -> dict[int, str]:
    """The notices of a post's thread: one query, and none while the log is off."""
    if not settings.public_moderation_log:
        return {}
    entries = (
        RemovalEntry.objects.filter(
            post_id=post_id,
            comment__removed=False,
            comment__status__in=list(LOGGED),
        )
        .select_related("comment__user__profile")
        .only(*_SHOWN)
    )
    return {
        entry.comment_id: notice(entry.comment.display_name, entry.removed_at, entry.shown_reason)
        for entry in entries
        if entry.comment_id is not None and entry.comment is not None
    }


# What a notice reads: the entry, the comment's name, its account's shown name.
_SHOWN = (
    "comment_id", "post_id", "reason", "text", "removed_at",
    "comment__author_name", "comment__removed", "comment__user_id",
    "comment__user__username", "comment__user__first_name", "comment__user__last_name",
    "comment__user__profile__display_name",
)  # fmt: skip


@dataclass(frozen=True)
class LogLine:
    """One entry of the public log, as the page and the feed show it."""

    pk: int
    sentence: str
    removed_at: datetime
    post_title: str
    post_url: str


_TEXT = ("body", "body_html", "footnotes_html", "bibliography_html", "toc")  # not shown here


def _public_entries() -> QuerySet[RemovalEntry]:
    return (
        # Only what every reader may see: a private or draft essay's removals stay private.
        RemovalEntry.objects.filter(post__in=Post.objects.public().values("pk"))
        .select_related("comment__user__profile", "post", "post__parent")
        .defer(*(f"{post}__{name}" for post in ("post", "post__parent") for name in _TEXT))
        .order_by("-removed_at", "-id")
    )


def _line(entry: RemovalEntry) -> LogLine:
    shown = entry.comment is not None and not entry.comment.removed
    name = entry.comment.display_name if shown and entry.comment is not None else ""
    return LogLine(
        pk=entry.pk,
        sentence=notice(name, entry.removed_at, entry.shown_reason),
        removed_at=entry.removed_at,
        post_title=entry.post.title,
        post_url=entry.post.get_absolute_url(),
    )


def log_page(number: int) -> tuple[Page[RemovalEntry], list[LogLine]]:
    """A page of the log, newest first: two queries (the count and the page)."""
    page = Paginator(_public_entries(), LOG_PER_PAGE).get_page(number)
    return page, [_line(entry) for entry in page]


def log_latest(count: int) -> list[LogLine]:
    return [_line(entry) for entry in _public_entries()[:count]]


class ReasonForm(forms.Form):
    """The reason picked beside the buttons (queue row, bulk actions, the edit page)."""

    reason = forms.ChoiceField(label=gettext_lazy("Reason"), required=False)
    reason_text = forms.CharField(
        label=gettext_lazy("In your words"),
        max_length=MAX_REASON_TEXT,
        required=False,
    )

    def __init__(self, *args: object, settings: DiscussionSettings, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        reasons = settings.reasons
        # Translators: %(spam)s and %(other)s are reasons from the site's own list.
        own = _("The button's own (%(spam)s for Spam, %(other)s otherwise)") % {
            "spam": default_reason(Action.SPAM, reasons),
            "other": default_reason(Action.TRASH, reasons),
        }
        choice = self.fields["reason"]
        assert isinstance(choice, forms.ChoiceField)
        other = pgettext_lazy("a reason", "Other")
        choice.choices = [("", own), *((r, r) for r in reasons), (OTHER, other)]
        self.fields["reason_text"].help_text = _(
            "With “Other”: shown to readers, at most %(max)d characters."
        ) % {"max": MAX_REASON_TEXT}

    def clean_reason_text(self) -> str:
        return " ".join(without_nul(self.cleaned_data.get("reason_text") or "").split())

    def choices(self) -> list[tuple[str, str]]:
        field = self.fields["reason"]
        assert isinstance(field, forms.ChoiceField)
        return list(field.choices)  # type: ignore[arg-type]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("reason") == OTHER and not cleaned.get("reason_text") and not self.errors:
            self.add_error("reason_text", _("Say in a few words why, for “Other”."))
        return cleaned

    def chosen(self, moderator_id: int | None) -> Reason:
        data = self.cleaned_data
        return Reason(choice=data.get("reason") or "", text=data.get("reason_text") or "",
                      moderator_id=moderator_id)  # fmt: skip
