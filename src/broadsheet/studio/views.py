"""The studio's list of posts and pages, and reviewers' notes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from broadsheet.core.converters import id_or_none
from broadsheet.studio import selectors
from broadsheet.studio.access import editable_post, may_review, studio_user
from broadsheet.studio.nav import add_tab
from broadsheet.studio.services import review_note_add

add_tab(_("Posts"), "studio:posts", order=10)
add_tab(pgettext_lazy("studio tab", "Edit"), "studio:edit", order=10, per_post=True)
MAX_NOTE = 5_000
PER_PAGE = 50


@require_safe
@studio_user
def post_list(request: HttpRequest) -> HttpResponse:
    kind = "page" if request.GET.get("kind") == "page" else "post"
    status = request.GET.get("status", "all")
    status = status if status in dict(selectors.STATUSES) else "all"
    query = request.GET.get("q", "").strip()[:200]
    rows = selectors.post_rows(user=request.user, kind=kind, status=status, query=query)
    page = Paginator(rows, PER_PAGE).get_page(id_or_none(request.GET.get("page")) or 1)
    counts = selectors.status_counts(user=request.user, kind=kind)
    tabs = [(key, label, counts.get(key, 0)) for key, label in selectors.STATUSES]
    context: dict[str, Any] = {"page": page, "tabs": tabs, "status": status, "kind": kind}
    context |= {
        "query": query,
        "kinds": selectors.KINDS,
        "may_write_pages": may_review(request.user),
    }
    return render(request, "studio/post_list.html", context)


@require_POST
@studio_user
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_review(request.user):
        raise PermissionDenied("Notes are left by reviewers: Editors and Administrators.")
    post = editable_post(request, pk)
    body = request.POST.get("note", "").strip()
    if not body or len(body) > MAX_NOTE:
        messages.error(
            request,
            gettext("A note needs some text, at most %(max)s characters.") % {"max": MAX_NOTE},
        )
    else:
        review_note_add(post=post, author=request.user, body=body)
        messages.success(request, gettext("Note left for the authors."))
    return redirect("studio:edit", pk=post.pk)
