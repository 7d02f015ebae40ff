"""Suggested corrections in the studio (the corrections app; docs/corrections.md).

    /studio/corrections/                    every suggestion this writer may read, by status
    /studio/posts/<id>/corrections/         one post's
    /studio/corrections/<id>/               one, with Accept (a note of what changed) and
                                            Decline (a reason, emailed to the proposer)
    /studio/posts/<id>/?correction=<id>     the editor, the suggestion beside the text

Authors read the suggestions on their own posts, Editors and Administrators every one
(corrections.selectors.may_read); whoever may edit the post decides. A suggestion nobody may
read here is a 404, as a post is.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from broadsheet.core.converters import id_or_none
from broadsheet.corrections.forms import DecisionForm
from broadsheet.corrections.models import Correction
from broadsheet.corrections.selectors import may_read, suggestions_for
from broadsheet.corrections.services import AlreadyDecided, correction_accept, correction_decline
from broadsheet.corrections.sources import source_link
from broadsheet.publishing.models import Post, edits_others_posts
from broadsheet.studio.access import studio_user
from broadsheet.studio.nav import add_tab

add_tab(_("Corrections"), "studio:corrections", order=25)
add_tab(_("Corrections"), "studio:post_corrections", order=45, per_post=True)
STATUSES = [("pending", _("Waiting")), ("accepted", _("Accepted")), ("declined", _("Declined")),
            ("all", pgettext_lazy("all suggestions", "All"))]  # fmt: skip
PER_PAGE = 50


def _status(request: HttpRequest) -> str:
    status = request.GET.get("status", "pending")
    return status if status in dict(STATUSES) else "pending"


def _list(request: HttpRequest, post: Post | None) -> HttpResponse:
    status = _status(request)
    rows = suggestions_for(request.user, status=status)
    if post is not None:
        rows = rows.filter(post=post.pk)
    page = Paginator(rows, PER_PAGE).get_page(id_or_none(request.GET.get("page")) or 1)
    context = {"page": page, "status": status, "statuses": STATUSES, "post": post}
    return render(request, "studio/corrections.html", context)


@require_safe
@studio_user
def correction_list(request: HttpRequest) -> HttpResponse:
    return _list(request, None)


@require_safe
@studio_user
def post_corrections(request: HttpRequest, pk: int) -> HttpResponse:
    post = Post.objects.defer("body", "body_html", "footnotes_html").filter(pk=pk).first()
    if post is None or not (edits_others_posts(request.user) or post.is_authored_by(request.user)):
        raise Http404("No such post.")
    return _list(request, post)


def readable_correction(request: HttpRequest, pk: int) -> Correction:
    """The suggestion `pk` if this writer may read it; a 404 otherwise (a forged id tells
    nothing). Used by the editor too, to show it beside the text."""
    correction = Correction.objects.select_related("post", "decided_by").filter(pk=pk).first()
    if correction is None or not may_read(request.user, correction):
        raise Http404("No such suggestion.")
    return correction


def _page(
    request: HttpRequest, correction: Correction, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "correction": correction,
        "post": correction.post,
        "sources": [(source, source_link(source)) for source in correction.sources],
        "may_decide": correction.post.is_editable_by(request.user),
        "accept_form": forms.get("accept_form") or DecisionForm(accepting=True, prefix="accept"),
        "decline_form": forms.get("decline_form") or DecisionForm(accepting=False, prefix="decline"),
    }  # fmt: skip
    return render(request, "studio/correction.html", context, status=status)


@require_safe
@studio_user
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, readable_correction(request, pk))


@require_POST
@studio_user
def correction_decide(request: HttpRequest, pk: int, verdict: str) -> HttpResponse:
    correction = readable_correction(request, pk)
    if not correction.post.is_editable_by(request.user):
        raise PermissionDenied("Whoever may edit the essay accepts or declines its corrections.")
    accepting = verdict == "accept"
    form = DecisionForm(request.POST, accepting=accepting, prefix=verdict)
    if not form.is_valid():
        return _page(request, correction, status=400, **{f"{verdict}_form": form})
    decide = correction_accept if accepting else correction_decline
    try:
        field = "note" if accepting else "reason"
        decide(correction=correction, by=request.user, **{field: form.cleaned_data["text"]})
    except AlreadyDecided as decided:
        messages.error(request, decided.message)
    else:
        messages.success(request, str(_DONE[verdict]))
    return redirect("studio:correction", pk=correction.pk)


_DONE = {
    "accept": _("Accepted: the correction is published at the end of the essay and in the feeds."),
    "decline": _("Declined: the proposer is emailed your reason."),
}


def correction_beside(request: HttpRequest, post: Post) -> dict[str, Any]:
    """The editor's context for `?correction=<id>`: the suggestion shown beside the text while
    the essay is revised. An id this writer may not read, or of another post, shows nothing."""
    pk = id_or_none(request.GET.get("correction"))
    if pk is None or not post.pk:
        return {}
    correction = Correction.objects.filter(pk=pk, post=post.pk).select_related("post").first()
    if correction is None or not may_read(request.user, correction):
        return {}
    sources = [(source, source_link(source)) for source in correction.sources]
    return {"correction": correction, "correction_sources": sources}
