"""Reports from readers (decision 0093): "Report" on every comment, with a reason; one per
reader and comment (an account, or a guest's cookie and address: discussion.readers), a few
an hour; a comment reported by `reports_to_hold` different readers is held until a moderator
decides (Approve clears its reports)."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from broadsheet.core.effects import action
from broadsheet.discussion.models import Comment
from broadsheet.discussion.readers import Reader
from broadsheet.moderation.models import DiscussionSettings, Report
from broadsheet.moderation.services import _set_status


class ReportRefused(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _rate_key(reader: Reader) -> str:
    return f"reports:{reader.address or reader.key}"


def _within_rate(reader: Reader) -> bool:
    """At most COMMENT_REPORTS_PER_HOUR reports an hour from one account or address."""
    key = _rate_key(reader)
    cache.add(key, 0, 3600)
    try:
        return int(cache.incr(key)) <= django_settings.COMMENT_REPORTS_PER_HOUR
    except ValueError:
        return True


@action
def comment_report(*, comment: Comment, reader: Reader, reason: str, text: str = "") -> Report:
    """File a reader's report; the last one of `reports_to_hold` holds the comment."""
    if comment.status != Comment.Status.APPROVED or comment.removed:
        raise ReportRefused("This comment is not shown any more: thank you.", status=404)
    if reason not in Report.Reason.values:
        raise ReportRefused("Please choose why you report this comment.")
    if reason == Report.Reason.OTHER and not text.strip():
        raise ReportRefused("Please say in a few words what is wrong with it.")
    if not _within_rate(reader):
        raise ReportRefused("You have sent many reports in the last hour; please wait a while.",
                            status=429)  # fmt: skip
    try:
        with transaction.atomic():
            report = Report.objects.create(comment=comment, reader=reader.key,
                                           address=reader.address, reason=reason,
                                           text=text.strip()[:200])  # fmt: skip
    except IntegrityError:
        raise ReportRefused("You have already reported this comment: thank you.",
                            status=409) from None  # fmt: skip
    settings = DiscussionSettings.current()
    if Report.objects.filter(comment=comment).count() >= settings.reports_to_hold:
        held = _set_status(comment=comment, status=Comment.Status.PENDING)
        Comment.objects.filter(pk=held.pk).update(
            moderation_reason=f"Reported by {settings.reports_to_hold} or more readers."
        )
    return report


def reports_clear(*, comment: Comment) -> None:
    """A moderator approved the comment: the reports were answered."""
    Report.objects.filter(comment=comment).delete()
