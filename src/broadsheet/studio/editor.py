"""The editor: one page per post (and one for a new post or page), a plain form that saves and
previews on submit; the script (static/broadsheet/studio-editor.js) adds the live preview,
autosave and shortcuts on top through the small endpoints below."""

from __future__ import annotations

import copy
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post, Revision
from broadsheet.publishing.revisions import EditConflict
from broadsheet.publishing.services import post_render, post_save
from broadsheet.studio.access import editable_post, may_publish, may_review, studio_user
from broadsheet.studio.corrections import correction_beside
from broadsheet.studio.forms import MAX_BODY, PostForm, apply, initial_for, tags_named
from broadsheet.studio.services import autosave_discard, autosave_newer, autosave_store

CONFLICT = _(
    "Someone else saved this post after you opened it, so your save was refused rather than "
    "overwrite their text. Your text is kept as a revision and is still below: compare it with "
    "theirs in the revisions, and bring your changes across to the current text."
)


@require_http_methods(["GET", "POST"])
@studio_user
def post_new(request: HttpRequest, kind: str = Post.Kind.POST) -> HttpResponse:
    if kind == Post.Kind.PAGE and not may_review(request.user):
        raise PermissionDenied(_("Pages are written by Editors and Administrators."))
    return _editor(request, Post(kind=kind, comments_open=kind == Post.Kind.POST))


@require_http_methods(["GET", "POST"])
@studio_user
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, editable_post(request, pk))


def _editor(request: HttpRequest, post: Post) -> HttpResponse:
    if request.method != "POST":
        restore = autosave_newer(user=request.user, post=post)
        initial = initial_for(post)
        if restore is not None and request.GET.get("restore") == "autosave":
            initial.update(title=restore.title, excerpt=restore.excerpt, body=restore.body)
            restore = None
        form = PostForm(initial=initial, user=request.user, post=post)
        return _page(request, post, form, restore=restore)
    form = PostForm(request.POST, user=request.user, post=post)
    action = request.POST.get("do", "save")
    if action == "preview":
        return _page(request, post, form, preview=preview_of(post, request.POST))
    if not form.is_valid():
        return _page(request, post, form, status=400)
    return _save(request, post, form, action)


def _save(request: HttpRequest, post: Post, form: PostForm, action: str) -> HttpResponse:
    data = form.cleaned_data
    if action == "publish" and not may_publish(request.user):
        form.add_error(None, _("You submit a post for review; an Editor publishes it."))
        return _page(request, post, form, status=403)
    # The button decides the status before the fields are set: apply() dates only a post
    # that is to be public, so "Publish" with a future date on a draft schedules it dated.
    apply(post, {**data, "status": _status_for(action, data)})
    refused: Revision | None = None
    with transaction.atomic():  # the refused revision commits only if caught in here
        try:
            post_save(
                post=post,
                authors=data["authors"],
                categories=data["categories"],
                tags=tags_named(data["tags"]),
                by=cast(User, request.user),  # studio_user: signed in
                based_on=data["based_on"],
            )
        except EditConflict as conflict:
            refused = conflict.revision
        else:
            autosave_discard(user=request.user, post=post)
    if refused is not None:
        form.add_error(None, CONFLICT)
        return _page(request, post, form, status=409, conflict_url=_compare_url(refused))
    messages.success(request, _saved_message(post))
    if "correction" in request.GET:  # revising with a suggestion beside: it stays there
        return redirect(f"{reverse('studio:edit', args=[post.pk])}?{request.GET.urlencode()}")
    return redirect("studio:edit", pk=post.pk)


def _compare_url(refused: Revision) -> str:
    """The refused text beside the one that was saved first, word by word."""
    current = Post.objects.filter(pk=refused.post_id).values_list("revision", flat=True).first()
    saved = Revision.objects.filter(post=refused.post_id, number=current).first()
    url = reverse("studio:revision_compare", args=[refused.post_id])
    return f"{url}?a={saved.pk if saved else refused.pk}&b={refused.pk}"


def _status_for(action: str, data: dict[str, Any]) -> str:
    if action == "submit":
        return Post.Status.PENDING
    if action == "publish":
        when = data["published_at"]
        future = when is not None and when > timezone.now()
        return Post.Status.SCHEDULED if future else Post.Status.PUBLISHED
    return str(data["status"])


def _saved_message(post: Post) -> str:
    if post.status == Post.Status.PENDING:
        return gettext("Submitted for review: an Editor will read it.")
    if post.status == Post.Status.SCHEDULED and post.published_at:
        when = formats.date_format(timezone.localtime(post.published_at), "DATETIME_FORMAT")
        return gettext("Scheduled: it goes live on %(when)s.") % {"when": when}
    if post.is_public:
        return gettext("Saved and published.")
    if post.status == Post.Status.PRIVATE:
        return gettext("Saved (private).")
    return gettext("Saved (draft).")  # a sentence each: a status's name is not lower-cased


def _texts(data: Any) -> dict[str, str]:
    return {name: str(data.get(name, "") or "") for name in ("title", "excerpt", "body")}


def preview_of(post: Post, data: Any) -> dict[str, Any]:
    """The text in the editor rendered by the page's own pipeline, without saving anything."""
    texts = _texts(data)
    if len(texts["body"]) > MAX_BODY:
        return {"too_long": True, "max_body": MAX_BODY}
    shown = copy.copy(post)
    shown.title, shown.excerpt, shown.body = texts["title"], texts["excerpt"], texts["body"]
    # The references are edited on their own page and stored as they change: the preview
    # cites the stored ones (a new post has none yet).
    references = list(post.references.all()) if post.pk else []
    problems = post_render(post=shown, references=references)
    return {"post": shown, "problems": problems}


def _page(
    request: HttpRequest, post: Post, form: PostForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "post": post,
        "form": form,
        "may_publish": may_publish(request.user),
        "may_review": may_review(request.user),
        "notes": list(post.review_notes.select_related("author")) if post.pk else [],
        "autosave_url": _endpoint(post, "autosave"),
        "preview_url": _endpoint(post, "preview"),
        **correction_beside(request, post),
        **extra,
    }
    return render(request, "studio/editor.html", context, status=status)


def _endpoint(post: Post, name: str) -> str:
    if post.pk:
        return reverse(f"studio:{name}", args=[post.pk])
    return reverse(f"studio:{name}_new")


@require_POST
@studio_user
def autosave(request: HttpRequest, pk: int | None = None) -> JsonResponse:
    post = editable_post(request, pk, without_text=True) if pk is not None else None
    texts = _texts(request.POST)
    if len(texts["body"]) > MAX_BODY:
        error = gettext("The text is over %(max)s characters.") % {"max": MAX_BODY}
        return JsonResponse({"error": error}, status=413)
    saved = autosave_store(user=request.user, post=post, **texts)
    shown = formats.time_format(timezone.localtime(saved.saved_at), "H:i:s")
    # Translators: the autosave's time, as 14:05:09.
    message = gettext("Autosaved %(time)s") % {"time": shown}
    return JsonResponse({"saved_at": saved.saved_at.isoformat(), "message": message})


@require_POST
@studio_user
def preview(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    post = (
        editable_post(request, pk, without_text=True)
        if pk is not None
        else Post(kind=Post.Kind.POST)
    )
    context = {"preview": preview_of(post, request.POST)}
    return render(request, "studio/_preview.html", context)
