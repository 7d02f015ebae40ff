"""The moderation queue: WordPress's Comments screen, for staff who may change comments."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.core.converters import id_or_none
from broadsheet.core.webaddress import WebAddressField
from broadsheet.discussion.anchors import WITH_ANCHORS, quoted, responds_to
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.services import (
    MAX_EMAIL,
    MAX_NAME,
    MAX_URL,
    Commenter,
    CommentRejected,
    comment_submit,
)
from broadsheet.moderation import selectors
from broadsheet.moderation.log import Reason, ReasonForm
from broadsheet.moderation.models import MAX_REASON_TEXT
from broadsheet.moderation.services import comment_apply, comment_edit

QUEUE_PATH = "/moderation/"


def _is_moderator(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm("discussion.change_comment"))


# Anyone else goes to the admin's login page (settings.LOGIN_URL), with ?next= back here.
moderator_required = user_passes_test(_is_moderator)


def _next_url(request: HttpRequest) -> str:
    """Back to the queue page the moderator came from, and never anywhere off the queue."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith(QUEUE_PATH) and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return QUEUE_PATH


def _page_number(raw: str | None) -> int:
    return id_or_none(raw) or 1


def _apply(comment: Comment, name: str, reason: Reason | None = None) -> bool:
    if not selectors.action_allowed(status=comment.status, name=name):
        return False
    comment_apply(comment=comment, action=name, reason=reason)
    return True


def _reason_form(data: Any = None) -> ReasonForm | None:
    """The reason sent with a decision, when the site publishes its log (else None)."""
    settings = DiscussionSettings.current()
    if not settings.public_moderation_log:
        return None
    return ReasonForm(data or None, settings=settings)


def _reason_context(form: ReasonForm | None) -> dict[str, Any]:
    """What moderation/_reason.html needs: the choices, and a refused form's words and errors."""
    if form is None:
        return {"reason_choices": None}
    data = form.data if form.is_bound else {}
    errors = [str(e) for field in ("reason", "reason_text") for e in form.errors.get(field, [])]
    return {
        "reason_choices": form.choices(),
        "reason_max": MAX_REASON_TEXT,
        "reason_chosen": data.get("reason", ""),
        "reason_text": data.get("reason_text", ""),
        "reason_errors": errors,
    }


class CommentEditForm(forms.Form):
    author_name = forms.CharField(label=gettext_lazy("Name"), max_length=MAX_NAME, required=False)
    author_email = forms.EmailField(
        label=gettext_lazy("Email"), max_length=MAX_EMAIL, required=False
    )
    author_url = WebAddressField(label=gettext_lazy("URL"), max_length=MAX_URL, required=False)
    body = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 10}))


@cache_policy("never")
@require_safe
@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request.GET, request.get_full_path(), _reason_form())
    return render(request, "moderation/queue.html", context)


def _queue_context(params: QueryDict, here: str, reason: ReasonForm | None) -> dict[str, Any]:
    status = selectors.queue_status(params.get("status"))
    query = params.get("q", "").strip()
    page = selectors.comment_queue(
        status=status, query=query, page=_page_number(params.get("page"))
    )
    return {
        "page_obj": page,
        "rows": selectors.queue_rows(page),
        "tabs": selectors.queue_tabs(),
        "status": status or "all",
        "query": query,
        "bulk_actions": selectors.bulk_actions(status=status),
        "here": here,
        **_reason_context(reason),
    }


@cache_policy("never")
@require_POST
@moderator_required
def comment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    found = selectors.action(action)
    if found is None:
        raise Http404("There is no such moderation action.")
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk, removed=False)
    form = _reason_form(request.POST)
    if form is not None and not form.is_valid():
        # The reason's words refused (too long, or "Other" without any): said by the field on
        # the comment's own page, the words kept, nothing decided.
        return _edit_page(request, comment, CommentEditForm(initial=_edit_initial(comment)),
                          form, status=400)  # fmt: skip
    if _apply(comment, found.name, _given(form, request)):
        messages.success(request, found.done % {"count": 1})
    else:
        # Someone else moved the comment since this page was drawn: their decision stands.
        messages.warning(request, _("That comment has changed since the page was loaded."))
    return HttpResponseRedirect(_next_url(request))


@cache_policy("never")
@require_POST
@moderator_required
def bulk(request: HttpRequest) -> HttpResponse:
    found = selectors.action(request.POST.get("action", ""))
    ids = [number for value in request.POST.getlist("ids") if (number := id_or_none(value))]
    if found is None or not ids:
        messages.error(request, _("Choose some comments and an action to apply to them."))
        return HttpResponseRedirect(_next_url(request))
    form = _reason_form(request.POST)
    if form is not None and not form.is_valid():
        # Nothing decided: the queue again, the error by the reason, the words, the action and
        # the comments ticked kept.
        here = _next_url(request)
        context = _queue_context(QueryDict(urlsplit(here).query), here, form)
        context.update(bulk_chosen=found.name, chosen_ids=ids)
        return render(request, "moderation/queue.html", context, status=400)
    reason = _given(form, request)
    done = sum(_apply(c, found.name, reason) for c in selectors.comments_by_ids(ids))
    messages.success(request, found.done % {"count": done})
    return HttpResponseRedirect(_next_url(request))


@cache_policy("never")
@require_http_methods(["GET", "HEAD", "POST"])
@moderator_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.select_related("post", *WITH_ANCHORS), pk=pk, removed=False
    )
    form = CommentEditForm(request.POST or None, initial=_edit_initial(comment))
    if request.method == "POST" and form.is_valid():
        comment_edit(comment=comment, editor_id=request.user.pk, **form.cleaned_data)
        messages.success(request, _("Comment updated."))
        return HttpResponseRedirect(_next_url(request))
    return _edit_page(request, comment, form, _reason_form())


def _edit_page(
    request: HttpRequest,
    comment: Comment,
    form: CommentEditForm,
    reason: ReasonForm | None,
    status: int = 200,
) -> HttpResponse:
    """The comment's page: its text to edit, and its decisions with their reason."""
    context = {
        "comment": comment,
        "form": form,
        "next": _next_url(request),
        "actions": selectors.row_actions(comment.status),
        # The passage it responds to, as the queue's row shows it.
        "quoted": quoted(responds_to(comment), comment.post.get_absolute_url()),
        **_reason_context(reason),
    }
    return render(request, "moderation/edit.html", context, status=status)


def _given(form: ReasonForm | None, request: HttpRequest) -> Reason | None:
    return form.chosen(request.user.pk) if form is not None else None


def _edit_initial(comment: Comment) -> dict[str, str]:
    fields = ("author_name", "author_email", "author_url", "body")
    return {name: getattr(comment, name) for name in fields}


@cache_policy("never")
@require_POST
@moderator_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk, removed=False)
    was_pending = comment.status == Comment.Status.PENDING
    try:
        # WordPress's "Approve and Reply": one step, undone together if the reply is refused.
        with transaction.atomic():
            if was_pending:
                comment_apply(comment=comment, action="approve")
            comment_submit(
                post=comment.post,
                commenter=Commenter(user=request.user, is_moderator=True),
                body=request.POST.get("body", ""),
                parent_id=comment.pk,
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
    except CommentRejected as exc:
        messages.error(request, exc.message)
    else:
        done = _("Comment approved and reply published.") if was_pending else _("Reply published.")
        messages.success(request, done)
    return HttpResponseRedirect(_next_url(request))
