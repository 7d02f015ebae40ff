"""The studio's image pages: the library, upload, edit, delete, and the picker the editor
opens to insert a figure or choose the featured image (decision 0041). All work as plain
pages with JavaScript off."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from broadsheet.accounts.models import User
from broadsheet.accounts.roles import may_change_image, may_upload
from broadsheet.media.forms import MediaTextsForm, MediaUploadForm
from broadsheet.media.models import MediaItem
from broadsheet.media.services import media_delete, media_update, upload_image
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from broadsheet.studio.access import editable_post, studio_user
from broadsheet.studio.nav import add_tab

add_tab(_("Images"), "studio:media", order=30)
PER_PAGE = 48


def _item(pk: int) -> MediaItem:
    return get_object_or_404(MediaItem, pk=pk)


def _showing(item: MediaItem) -> QuerySet[Post]:
    name = item.file.name
    return Post.objects.filter(Q(body__contains=name) | Q(featured_image__contains=name))


@require_safe
@studio_user
def media_library(request: HttpRequest) -> HttpResponse:
    page = Paginator(MediaItem.objects.all(), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "may_upload": may_upload(request.user)}
    return render(request, "studio/media_library.html", context)


@require_http_methods(["GET", "POST"])
@studio_user
def media_upload_page(request: HttpRequest) -> HttpResponse:
    if not may_upload(request.user):
        raise PermissionDenied("Contributors cannot upload images: an Author or Editor can.")
    form = MediaUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.clean_image is not None:
        words = form.cleaned_data
        item = upload_image(
            image=form.clean_image, name=words["file"].name, uploader=cast(User, request.user),
            alt_text=words["alt_text"], caption=words["caption"], credit=words["credit"],
        )  # fmt: skip
        messages.success(request, gettext("Image uploaded. Its smaller sizes are being made."))
        return redirect("studio:media_edit", item.pk)
    status = 400 if form.errors else 200
    return render(request, "studio/media_upload.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@studio_user
def media_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(pk)
    may_change = may_change_image(request.user, item)
    initial = {"alt_text": item.alt_text, "caption": item.caption, "credit": item.credit}
    form = MediaTextsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied("You may not change this image.")
        if form.is_valid():
            words = form.cleaned_data
            media_update(item=item, alt_text=words["alt_text"], caption=words["caption"],
                         credit=words["credit"])  # fmt: skip
            messages.success(request, gettext("Saved. Posts showing the image show the new words."))
            return redirect("studio:media_edit", item.pk)
    context = {"item": item, "form": form, "may_change": may_change,
               "showing": _showing(item).only("title", "slug", "pk")[:50]}  # fmt: skip
    return render(request, "studio/media_edit.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@studio_user
def media_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(pk)
    if not may_change_image(request.user, item) or not request.user.has_perm(
        "media.delete_mediaitem"
    ):
        raise PermissionDenied("You may not delete this image.")
    if request.method == "POST":
        media_delete(item=item)
        messages.success(request, gettext("“%(name)s” was deleted.") % {"name": item.original_name})
        return redirect("studio:media")
    showing = _showing(item).only("title", "slug", "pk")[:50]
    return render(request, "studio/media_delete.html", {"item": item, "showing": showing})


@require_safe
@studio_user
def media_pick(request: HttpRequest) -> HttpResponse:
    post = _post_of(request, request.GET.get("post"))
    page = Paginator(MediaItem.objects.all(), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "post": post, "next": _next(request, post, "GET")}
    return render(request, "studio/media_pick.html", context)


@require_POST
@studio_user
def media_feature(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a library image the post's featured image (the picker's button)."""
    item = _item(pk)
    post = _post_of(request, request.POST.get("post"))
    if post is None:
        raise PermissionDenied("Choose the post whose featured image this is.")
    if not item.insertable:
        messages.error(request, gettext("Add alt text to this image before using it."))
        return redirect("studio:media_edit", item.pk)
    post.featured_image = item.absolute_url
    post_save(post=post)
    messages.success(
        request, gettext("“%(name)s” is now the featured image.") % {"name": item.original_name}
    )
    return HttpResponseRedirect(_next(request, post, "POST"))


def _post_of(request: HttpRequest, value: str | None) -> Post | None:
    """The post named by a form field, if this writer may edit it (a forged id: 404)."""
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise PermissionDenied("That is not a post.")
    return editable_post(request, int(value))


def _next(request: HttpRequest, post: Post | None, method: str) -> str:
    """Where to go back to: a page of this site only; else the picker for the same post."""
    data: Any = request.GET if method == "GET" else request.POST
    wanted = data.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}, require_https=False
    ):
        return str(wanted)
    picker = reverse("studio:media_pick")
    return f"{picker}?post={post.pk}" if post is not None else picker
