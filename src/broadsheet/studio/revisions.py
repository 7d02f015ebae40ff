"""A post's revisions in the studio: the list, a comparison of any two, and restore.

    /studio/posts/<id>/revisions/                       who, when, words changed; pick two
    /studio/posts/<id>/revisions/compare/?a=<rev>&b=<rev>[&view=side]
    /studio/posts/<id>/revisions/<rev>/restore/          POST: that text again, as a new revision

Whoever may edit the post (Post.is_editable_by) sees and restores its revisions. The pages
are plain links and forms: the compare works with JavaScript off.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from broadsheet.publishing.compare import revisions_compare
from broadsheet.publishing.models import Post, Revision
from broadsheet.publishing.revisions import revision_restore
from broadsheet.studio.access import editable_post, studio_user
from broadsheet.studio.nav import add_tab

add_tab(_("Revisions"), "studio:revisions", order=40, per_post=True)


def _revisions(post: Post) -> list[Revision]:
    return list(
        Revision.objects.filter(post_id=post.pk)
        .select_related("author__profile")
        .defer("body", "excerpt", "references")
        .order_by("-id")
    )


def _label(revision: Revision) -> str:
    if revision.number is None:
        return gettext("Not applied (based on %(number)s)") % {"number": revision.based_on}
    return gettext("Revision %(number)s") % {"number": revision.number}


@require_safe
@studio_user
def revision_list(request: HttpRequest, pk: int) -> HttpResponse:
    post = editable_post(request, pk)
    rows = [(revision, _label(revision)) for revision in _revisions(post)]
    return render(request, "studio/revisions.html", {"post": post, "rows": rows})


def _chosen(request: HttpRequest, post: Post, name: str) -> Revision | None:
    raw = request.GET.get(name, "")
    if not raw.isdigit() or len(raw) > 18:
        return None
    return Revision.objects.filter(post_id=post.pk, pk=int(raw)).select_related("author").first()


@require_safe
@studio_user
def revision_compare(request: HttpRequest, pk: int) -> HttpResponse:
    post = editable_post(request, pk)
    old, new = _chosen(request, post, "a"), _chosen(request, post, "b")
    context: dict[str, Any] = {"post": post, "old": old, "new": new}
    if old is None or new is None:
        context["error"] = gettext("Choose two revisions of this post to compare.")
        return render(request, "studio/revision_compare.html", context, status=400)
    if old.pk > new.pk:
        old, new = new, old  # older on the left, whichever was picked first
    side = request.GET.get("view") == "side"
    here = f"{request.path}?a={old.pk}&b={new.pk}"
    context.update(
        old=old, new=new, comparison=revisions_compare(old, new), side_by_side=side,
        here=here, old_label=_label(old), new_label=_label(new),
    )  # fmt: skip
    return render(request, "studio/revision_compare.html", context)


@require_POST
@studio_user
def revision_restore_view(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    post = editable_post(request, pk)
    revision = get_object_or_404(Revision, post_id=post.pk, pk=revision_id)
    restored = revision_restore(revision=revision, by=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        (
            gettext("%(revision)s is the text again, saved as revision %(number)s.")
            if restored.number
            else gettext("%(revision)s is the text again.")
        )
        % {"revision": _label(revision), "number": restored.number},
    )
    return HttpResponseRedirect(reverse("studio:revisions", args=[post.pk]))
