"""Published versions of a public post, each at a permanent address (decision 0039).

`…/yyyy/mm/dd/slug/v/` lists them, `…/v/N/` shows version N's text through the same pipeline
as the post (rendered when asked, then kept by the page cache like the post's own page: both
depend on the post), with a banner naming its date and linking to the current text and to
`…/v/N/changes/`, what changed since. Pages have the same under their own path. Only public
posts have public versions; drafts and private posts never.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.core.pagecache import page_shows_post
from broadsheet.publishing import selectors
from broadsheet.publishing.cite_essay import pinned_citation
from broadsheet.publishing.compare import revisions_compare
from broadsheet.publishing.csl_json import reference_fields
from broadsheet.publishing.models import Post, Reference, Revision
from broadsheet.publishing.revisions import changes_url, history_url, version_url

# A page's versions: `<page path>/v/`, `/v/N/`, `/v/N/changes/`.
PAGE_VERSION_PATH = re.compile(r"^(?P<path>.+?)/v(?:/(?P<version>\d{1,9})(?P<changes>/changes)?)?$")


def _for_post(
    request: HttpRequest, day: tuple[int, int, int], slug: str, rest: str, show: Any
) -> HttpResponse:
    """Answer for the public post at that address (never a private one, whoever asks); at an
    old date, the same address under the post's current one."""
    year, month, on = day
    found = selectors.post_for_permalink(user=None, year=year, month=month, day=on, slug=slug)
    if found.post is None:
        return HttpResponsePermanentRedirect(f"{found.redirect_to}{rest}")
    return show(request, found.post)


def _versions(post: Post) -> QuerySet[Revision]:
    return Revision.objects.filter(post_id=post.pk, version__isnull=False)


def _version(post: Post, number: int) -> Revision:
    found = _versions(post).filter(version=number).first()
    if found is None:
        raise Http404("This essay has no such version.")
    return found


def version_post(post: Post, revision: Revision) -> Post:
    """The post as it read at `revision`: its text rendered by the post's own pipeline."""
    from broadsheet.publishing.services import post_render

    shown = copy.copy(post)
    shown.title, shown.excerpt, shown.body = revision.title, revision.excerpt, revision.body
    post_render(post=shown, references=version_references(revision))
    return shown


def version_references(revision: Revision) -> list[Reference]:
    """The references the version cited, from its CSL-JSON items (not saved)."""
    return [Reference(**reference_fields(item)[0]) for item in revision.references]


def _context(post: Post, current: Post | None = None) -> dict[str, Any]:
    page_shows_post(post.pk)
    current = current or post
    return {
        "current": current,
        "current_url": current.get_absolute_url(),
        "history_url": history_url(current),
        "authors": [link.author for link in current.author_links],  # type: ignore[attr-defined]
    }


def show_version(request: HttpRequest, post: Post, number: int) -> HttpResponse:
    revision = _version(post, number)
    context = _context(post)
    shown = version_post(post, revision)
    context.update(
        post=shown,
        revision=revision,
        is_current=revision.version == post.version,
        changes_url=changes_url(post, number),
        version_url=version_url(post, number),
        # Pinned to this version: its title and text, its address and date.
        cite=pinned_citation(
            post=shown, authors=context["authors"], version=number, published=revision.created_at
        ),
    )
    return render(request, "publishing/post_version.html", context)


def show_history(request: HttpRequest, post: Post) -> HttpResponse:
    versions = list(
        _versions(post).only("post_id", "version", "title", "created_at").order_by("-version")
    )
    if not versions:
        raise Http404("This essay has no published versions.")
    context = _context(post)
    context.update(post=post, versions=versions, base=history_url(post))
    return render(request, "publishing/post_history.html", context)


def show_changes(request: HttpRequest, post: Post, number: int) -> HttpResponse:
    old, new = _version(post, number), _version(post, post.version)
    side = request.GET.get("view") == "side"
    context = _context(post)
    context.update(
        post=post,
        old=old,
        new=new,
        comparison=revisions_compare(old, new),
        side_by_side=side,
        old_label=gettext("Version %(number)s") % {"number": number},
        here=changes_url(post, number),
        version_url=version_url(post, number),
    )
    return render(request, "publishing/post_changes.html", context)


@require_safe
@cache_policy("public")
def post_history(request: HttpRequest, year: int, month: int, day: int, slug: str) -> HttpResponse:
    return _for_post(request, (year, month, day), slug, "v/", show_history)


@require_safe
@cache_policy("public")
def post_version(
    request: HttpRequest, year: int, month: int, day: int, slug: str, version: int
) -> HttpResponse:
    def show(request: HttpRequest, post: Post) -> HttpResponse:
        return show_version(request, post, version)

    return _for_post(request, (year, month, day), slug, f"v/{version}/", show)


@require_safe
@cache_policy("public")
def post_changes(
    request: HttpRequest, year: int, month: int, day: int, slug: str, version: int
) -> HttpResponse:
    def show(request: HttpRequest, post: Post) -> HttpResponse:
        return show_changes(request, post, version)

    return _for_post(request, (year, month, day), slug, f"v/{version}/changes/", show)


def page_versions(request: HttpRequest, match: re.Match[str]) -> HttpResponse:
    """A page's versions, for `publishing.views.page_detail` (pages live under any path)."""
    page = selectors.page_for_path(user=None, path=match["path"])
    if match["version"] is None:
        return show_history(request, page)
    if match["changes"]:
        return show_changes(request, page, int(match["version"]))
    return show_version(request, page, int(match["version"]))
