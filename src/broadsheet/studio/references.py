"""The studio's references page for one post: its references listed; add by pasting BibTeX,
RIS or CSL-JSON (read, shown, then added), by typing fields, or by reusing one from another
essay; edit, delete, mark "uncited". Every page works as plain forms with JavaScript off.

Writes go through publishing.references' actions; only who may edit the post gets here
(studio.access.editable_post: a forged post id is a 404, another's post a 403)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post, Reference
from broadsheet.publishing.references import (
    reference_delete,
    reference_reusable,
    reference_update,
    reference_values,
    references_add,
    references_reusable,
)
from broadsheet.studio.access import editable_post, studio_user
from broadsheet.studio.nav import add_tab
from broadsheet.studio.reference_forms import PasteForm, ReferenceForm

add_tab(_("References"), "studio:references", order=30, per_post=True)


def _list_url(post: Post, key: str = "") -> str:
    url = reverse("studio:references", args=[post.pk])
    return f"{url}#ref-{key}" if key else url


def _page(
    request: HttpRequest,
    post: Post,
    *,
    paste: PasteForm | None = None,
    typed: ReferenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    references = list(post.references.all())
    query = request.GET.get("q", "")[:200]
    context: dict[str, Any] = {
        "post": post,
        "references": references,
        "paste": paste or PasteForm(),
        "preview": paste.result if paste is not None else None,
        "typed": typed or ReferenceForm(taken_keys=[r.key for r in references]),
        "query": query,
        "reusable": references_reusable(user=request.user, query=query, post=post)
        if query.strip()
        else [],
    }
    return render(request, "studio/references.html", context, status=status)


def _reference(post: Post, key: str) -> Reference:
    found = post.references.filter(key=key).first()
    if found is None:
        raise Http404(f"This post has no reference with the key {key!r}.")
    return found


@require_safe
@studio_user
def reference_list(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, editable_post(request, pk))


def _writer(request: HttpRequest) -> User:
    return cast(User, request.user)  # studio_user let only a signed-in writer in


def _checked(request: HttpRequest) -> HttpResponse:
    """Stands for a view that is not CSRF-exempt, for the check references_paste makes."""
    return HttpResponse()


def _too_big(request: HttpRequest) -> bool:
    """Whether the body is past MAX_REQUEST_BYTES (Django refuses to read it)."""
    try:
        request.POST  # noqa: B018 - reading it is the check
    except RequestDataTooBig:
        return True
    return False


@csrf_exempt  # checked below, once the body is known to be readable
@require_POST
@studio_user
def references_paste(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Read" shows what the text holds; "Add" adds it when every entry could be read."""
    post = editable_post(request, pk)
    if _too_big(request):  # refused in words beside the box (nothing is written)
        return _page(request, post, paste=PasteForm.too_big(), status=413)
    refused = CsrfViewMiddleware(_checked).process_view(request, _checked, (), {})
    if refused is not None:
        return refused
    form = PasteForm(request.POST, request.FILES)
    if not form.is_valid() or form.result is None:
        return _page(request, post, paste=form, status=400)
    result = form.result
    if request.POST.get("step") != "add" or not result.ok:
        return _page(request, post, paste=form, status=200 if result.ok else 400)
    keys = references_add(
        post=post, entries=[e.fields for e in result.entries], by=_writer(request)
    )
    listed = ", ".join(f"@{k}" for k in keys)
    added = ngettext(
        "Added %(count)d reference: %(keys)s.", "Added %(count)d references: %(keys)s.", len(keys)
    )
    messages.success(request, added % {"count": len(keys), "keys": listed})
    return HttpResponseRedirect(_list_url(post, keys[0]))


@require_POST
@studio_user
def reference_new(request: HttpRequest, pk: int) -> HttpResponse:
    post = editable_post(request, pk)
    form = ReferenceForm(request.POST, taken_keys=[r.key for r in post.references.all()])
    if not form.is_valid():
        return _page(request, post, typed=form, status=400)
    (key,) = references_add(post=post, entries=[form.reference_fields()], by=_writer(request))
    messages.success(request, gettext("Added the reference @%(key)s.") % {"key": key})
    return HttpResponseRedirect(_list_url(post, key))


@require_http_methods(["GET", "POST"])
@studio_user
def reference_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    post = editable_post(request, pk)
    reference = _reference(post, key)
    others = [r.key for r in post.references.all() if r.pk != reference.pk]
    data = request.POST if request.method == "POST" else None
    form = ReferenceForm(data, instance=reference, taken_keys=others)
    if data is not None and form.is_valid():
        fields = form.reference_fields()
        new_key = reference_update(post=post, key=key, fields=fields, by=_writer(request))
        messages.success(request, gettext("Saved the reference @%(key)s.") % {"key": new_key})
        return HttpResponseRedirect(_list_url(post, new_key))
    context = {"post": post, "reference": reference, "form": form}
    return render(
        request, "studio/reference_edit.html", context, status=400 if form.errors else 200
    )


@require_POST
@studio_user
def reference_remove(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    post = editable_post(request, pk)
    reference_delete(post=post, key=_reference(post, key).key, by=_writer(request))
    messages.success(
        request,
        gettext("Deleted the reference @%(key)s; the post's revisions keep it.") % {"key": key},
    )
    return HttpResponseRedirect(_list_url(post))


@require_POST
@studio_user
def reference_uncited(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Listed in the bibliography though the text never cites it (or no longer)."""
    post = editable_post(request, pk)
    uncited = request.POST.get("uncited") == "1"
    key = reference_update(
        post=post, key=_reference(post, key).key, fields={"uncited": uncited}, by=_writer(request)
    )
    shown = (
        gettext("@%(key)s is listed even when not cited.")
        if uncited
        else gettext("@%(key)s is listed only when cited.")
    )
    messages.success(request, shown % {"key": key})
    return HttpResponseRedirect(_list_url(post, key))


@require_POST
@studio_user
def reference_reuse(request: HttpRequest, pk: int) -> HttpResponse:
    """A copy of a reference from another essay this writer may see, under a key of its own."""
    post = editable_post(request, pk)
    try:
        source_pk = int(request.POST.get("reference", ""))
    except ValueError:
        raise Http404("No such reference.") from None
    source = reference_reusable(user=request.user, pk=source_pk, post=post)
    (key,) = references_add(post=post, entries=[reference_values(source)], by=_writer(request))
    messages.success(
        request,
        gettext("Added @%(key)s from “%(title)s”: cite it as [@%(key)s].")
        % {"key": key, "title": source.post.title},
    )
    return HttpResponseRedirect(_list_url(post, key))
