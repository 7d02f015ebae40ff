"""Reports from readers (decision 0093): "Report" on every comment, with a reason; one per
reader and comment (an account, or a guest's cookie and address: discussion.readers), a few
an hour; a comment reported by `reports_to_hold` different readers is held until a moderator
decides (Approve clears its reports)."""

from __future__ import annotations

from django import forms
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from broadsheet.core.cache import cache_policy
from broadsheet.core.effects import action
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.readers import Reader, reader_of, remember_reader
from broadsheet.moderation.models import Report
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
        raise ReportRefused(_("This comment is not shown any more: thank you."), status=404)
    if reason not in Report.Reason.values:
        raise ReportRefused(_("Please choose why you report this comment."))
    if reason == Report.Reason.OTHER and not text.strip():
        raise ReportRefused(_("Please say in a few words what is wrong with it."))
    if not _within_rate(reader):
        raise ReportRefused(
            _("You have sent many reports in the last hour; please wait a while."), status=429
        )
    try:
        with transaction.atomic():
            report = Report.objects.create(comment=comment, reader=reader.key,
                                           address=reader.address, reason=reason,
                                           text=text.strip()[:200])  # fmt: skip
    except IntegrityError:
        raise ReportRefused(
            _("You have already reported this comment: thank you."), status=409
        ) from None
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


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("What is wrong with it?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("In your words (needed with Other)"), max_length=200, required=False
    )


def _client_ip(request: HttpRequest) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if django_settings.TRUST_X_FORWARDED_FOR and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


@require_http_methods(["GET", "HEAD", "POST"])
@cache_policy("never")
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    """`/comment/N/report/`: the reasons, then thanks (a form: works without JavaScript)."""
    comment = get_object_or_404(
        Comment.objects.select_related("post"), pk=pk, status=Comment.Status.APPROVED,
        removed=False,
    )  # fmt: skip
    if not comment.post.is_public:
        raise Http404("No such comment.")
    form = ReportForm(request.POST if request.method == "POST" else None)
    status, done = 200, False
    if request.method == "POST" and form.is_valid():
        reader = reader_of(request, _client_ip(request))
        try:
            comment_report(comment=comment, reader=reader, reason=form.cleaned_data["reason"],
                           text=form.cleaned_data["text"])  # fmt: skip
            done = True
        except ReportRefused as refused:
            form.add_error(None, refused.message)
            status = refused.status
        response = render(request, "moderation/report.html",
                          {"comment": comment, "form": form, "done": done}, status=status)  # fmt: skip
        remember_reader(request, response, reader)
        return response
    if form.errors:
        status = 400
    return render(request, "moderation/report.html", {"comment": comment, "form": form},
                  status=status)  # fmt: skip
