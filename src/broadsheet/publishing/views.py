from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.core.pagecache import page_shows_post
from broadsheet.publishing import selectors
from broadsheet.publishing.additions import (
    article_data,
    head_html,
    json_ld_keys,
    lead_html,
    post_additions,
    with_before,
    with_headers,
)
from broadsheet.publishing.bibformats import to_bibtex, to_csl_json, to_ris
from broadsheet.publishing.cite_essay import EssayCitation, pinned_citation
from broadsheet.publishing.metadata import (
    COMMENTS_IN_JSON_LD,
    CommentSummary,
    archive_metadata,
    date_archive_metadata,
    home_metadata,
    post_metadata,
)
from broadsheet.publishing.models import Post, PostRedirect, Reference, Tag
from broadsheet.publishing.versions import PAGE_VERSION_PATH, page_versions


@dataclass(frozen=True)
class PostDiscussion:
    """What the app that runs a post's discussion (discussion, a layer above) gives the post's
    page, registered in its ready(): `context(request, post=, cpage=, reply_to_id=)`, the
    template context of the thread, its form and its passages' margins (under "discussion",
    None when the post has none); and `comments_for_metadata(post=, page=, limit=)`, the first
    comments the page shows, for its JSON-LD."""

    context: Callable[..., dict[str, Any]]
    comments_for_metadata: Callable[..., list[CommentSummary]]


_discussion: list[PostDiscussion] = []


def post_discussion_register(discussion: PostDiscussion) -> None:
    _discussion[:] = [discussion]


def _discussion_context(
    request: HttpRequest, post: Post, cpage: int | None, reply_to_id: int | None
) -> dict[str, Any]:
    if not _discussion:
        return {}
    return _discussion[0].context(request, post=post, cpage=cpage, reply_to_id=reply_to_id)


def render_post(
    request: HttpRequest, post: Post, *, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:

    page_shows_post(post.pk)
    authors = [link.author for link in post.author_links]  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "post": post,
        "post_url": post.get_absolute_url(),
        "authors": authors,
        # Read once here: each `post.categories.all` in a template builds a new queryset.
        "categories": list(post.categories.all()),
        "tags": list(post.tags.all()),
        "references": list(post.references.all()),
        "neighbours": selectors.post_neighbours(post=post),
    }
    # What the apps above add (publishing.additions): the corrections list, for one.
    additions = post_additions(post)
    context |= {
        "additions": additions,
        "article_data": article_data(additions),
        "lead_html": lead_html(additions),
        "head_html": head_html(additions),
    }
    if extra is None:
        cpage = request.resolver_match.kwargs.get("cpage") if request.resolver_match else None
        extra = _discussion_context(request, post, _int(cpage), _int(request.GET.get("replytocom")))
    context.update(extra)
    # The first few comments the page shows go into its JSON-LD.
    discussion = extra.get("discussion")
    if discussion and discussion["redirect_to"]:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(discussion["redirect_to"] + (f"?{query}" if query else ""))
    comments = (
        _discussion[0].comments_for_metadata(
            post=post, page=discussion["page"], limit=COMMENTS_IN_JSON_LD
        )
        if discussion
        else []
    )
    context["meta"] = post_metadata(post, authors, comments=comments, extra=json_ld_keys(additions))
    context["cite"] = _citation(post, authors)
    margins = discussion["margins"] if discussion else None
    context.update(_with_margins(post, margins, additions, request.path))
    if not discussion:
        page = render(request, "publishing/post_detail.html", context, status=status)
        return with_headers(page, additions)
    # A thread of 2,000 comments is 2 MB of HTML: the template renders a marker in its place
    # and the page is put together once, instead of copying the thread at every level of the
    # template's nesting.
    thread = discussion["comments_html"]
    discussion["comments_html"] = _THREAD
    html = render_to_string("publishing/post_detail.html", context, request)
    before, _, after = html.partition(_THREAD)
    return with_headers(HttpResponse([before, thread, after], status=status), additions)


def _with_margins(post: Post, margins: Any, additions: list[Any], path: str) -> dict[str, Any]:
    """The essay's text as the page shows it: with the discussion, each passage has its
    "Respond" control and the count of its responses (discussion.margins); what the apps
    above add before a passage (publishing.additions) comes first."""
    parts = {
        "body": with_before(post.body_html, additions),
        "footnotes": with_before(post.footnotes_html, additions),
        "bibliography": with_before(post.bibliography_html, additions),
    }
    if margins is None:
        return {**{f"{name}_html": html for name, html in parts.items()}, "respond_url": ""}
    here = margins.seen_from(path)
    return {
        **{f"{name}_html": mark_safe(here.apply(html, name)) for name, html in parts.items()},
        "respond_url": margins.respond_url,
    }


def _citation(post: Post, authors: list[Any]) -> EssayCitation | None:
    """ "Cite this essay", pinned to the current published version."""
    return pinned_citation(
        post=post, authors=authors, version=post.version, published=post.version_at
    )


# Stands for the comment thread while the template renders (see render_post).
_THREAD = mark_safe(f"<!--thread-{uuid.uuid4().hex}-->")


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


# Apps that answer the home page's address when it carries a query of theirs (search:
# WordPress's /?s=words), registered in their ready().
_HOME_QUERIES: dict[str, Callable[..., HttpResponse]] = {}


def home_query_register(name: str, view: Callable[..., HttpResponse]) -> None:
    """`view(request, page)` answers `/?{name}=…` (and `/page/N/?{name}=…`)."""
    _HOME_QUERIES[name] = view


@require_safe
@cache_policy("public")
def home(request: HttpRequest, page: int = 1) -> HttpResponse:
    for name, view in _HOME_QUERIES.items():
        if name in request.GET:
            return view(request, page)
    for query in ("p", "page_id"):  # WordPress's plain links, /?p=42, kept by an import
        if query in request.GET:
            return _old_plain_link(f"/?{query}={request.GET[query]}")
    posts = selectors.post_list_home(page=page)
    context = {"page_obj": posts, "pagination_base": "/", "meta": home_metadata(page=posts)}
    return render(request, "publishing/home.html", context)


def _old_plain_link(old_path: str) -> HttpResponse:
    redirect = PostRedirect.objects.select_related("post").filter(old_path=old_path[:500]).first()
    if redirect is None or not redirect.post.is_public:
        raise Http404("No post had this address.")
    return HttpResponsePermanentRedirect(redirect.post.get_absolute_url())


@require_safe
@cache_policy("public")
def post_detail(
    request: HttpRequest, year: int, month: int, day: int, slug: str, cpage: int | None = None
) -> HttpResponse:
    found = selectors.post_for_permalink(
        user=request.user, year=year, month=month, day=day, slug=slug
    )
    if found.post is None:
        return HttpResponsePermanentRedirect(found.redirect_to or "/")
    return render_post(request, found.post)


# The bibliography as a file: writer and media type per extension (CSL-JSON's is registered
# with IANA; BibTeX and RIS have only these customary ones).
DOWNLOADS: dict[str, tuple[Callable[[list[Reference]], str], str]] = {
    "bib": (to_bibtex, "application/x-bibtex"),
    "ris": (to_ris, "application/x-research-info-systems"),
    "json": (to_csl_json, "application/vnd.citationstyles.csl+json"),
}


@require_safe
@cache_policy("public")
def post_references(
    request: HttpRequest, year: int, month: int, day: int, slug: str, extension: str
) -> HttpResponse:
    """A post's bibliography as BibTeX, RIS or CSL-JSON, to whoever may read the post."""
    if extension not in DOWNLOADS:
        raise Http404("The bibliography comes as references.bib, .ris or .json.")
    found = selectors.post_for_permalink(
        user=request.user, year=year, month=month, day=day, slug=slug
    )
    if found.post is None:
        return HttpResponsePermanentRedirect(f"{found.redirect_to}references.{extension}")
    page_shows_post(found.post.pk)
    write, media_type = DOWNLOADS[extension]
    text = write(selectors.post_bibliography(post=found.post))
    response = HttpResponse(text, content_type=f"{media_type}; charset=utf-8")
    filename = f"{found.post.slug}-references.{extension}"
    response["Content-Disposition"] = str(content_disposition_header(True, filename))
    return response


@require_safe
@staff_member_required
@cache_policy("never")
def post_preview(request: HttpRequest, pk: int) -> HttpResponse:
    return render_post(request, selectors.post_for_preview(pk=pk, user=request.user))


@require_safe
@cache_policy("public")
def page_detail(request: HttpRequest, path: str) -> HttpResponse:
    versions = PAGE_VERSION_PATH.match(path)
    if versions is not None:  # a page's published versions (decision 0039)
        return page_versions(request, versions)
    path, _, cpage = (
        path.rpartition("/comment-page-") if "/comment-page-" in path else (path, "", "")
    )
    page = selectors.page_for_path(user=request.user, path=path)
    if cpage:
        extra = _discussion_context(request, page, _int(cpage), _int(request.GET.get("replytocom")))
        return render_post(request, page, extra=extra)
    return render_post(request, page)


@require_safe
@cache_policy("public")
def author_archive(request: HttpRequest, username: str, page: int = 1) -> HttpResponse:
    author = get_object_or_404(
        get_user_model().objects.select_related("profile"), username=username
    )
    posts = selectors.post_list_for_author(author=author, page=page)
    base = f"/author/{author.username}/"
    name = author.display_name
    profile = getattr(author, "profile", None)
    bio = " ".join(strip_tags(profile.bio_html).split()) if profile is not None else ""
    context = {
        "page_obj": posts,
        "archive_author": author,
        "pagination_base": base,
        "meta": archive_metadata(
            heading=_("Author: %(name)s") % {"name": name},
            description=bio or _("Posts by %(name)s.") % {"name": name},
            path=base,
            page=posts,
            trail=[(name, base)],
        ),
    }
    return render(request, "publishing/archive.html", context)


@require_safe
@cache_policy("public")
def category_archive(request: HttpRequest, path: str, page: int = 1) -> HttpResponse:
    category = selectors.category_for_path(path=path)
    if category.path != path.strip("/"):
        return HttpResponsePermanentRedirect(category.get_absolute_url())
    posts = selectors.post_list_for_category(category=category, page=page)
    base = category.get_absolute_url()
    context = {
        "page_obj": posts,
        "archive_category": category,
        "pagination_base": base,
        "meta": archive_metadata(
            heading=_("Category: %(name)s") % {"name": category.name},
            description=" ".join(category.description.split())
            or _("Posts in the category %(name)s.") % {"name": category.name},
            path=base,
            page=posts,
            trail=[(category.name, base)],
        ),
    }
    return render(request, "publishing/archive.html", context)


@require_safe
@cache_policy("public")
def tag_archive(request: HttpRequest, slug: str, page: int = 1) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    posts = selectors.post_list_for_tag(tag=tag, page=page)
    base = tag.get_absolute_url()
    context = {
        "page_obj": posts,
        "archive_tag": tag,
        "pagination_base": base,
        "meta": archive_metadata(
            heading=_("Tag: %(name)s") % {"name": tag.name},
            description=_("Posts tagged %(name)s.") % {"name": tag.name},
            path=base,
            page=posts,
            trail=[(tag.name, base)],
        ),
    }
    return render(request, "publishing/archive.html", context)


@require_safe
@cache_policy("public")
def date_archive(
    request: HttpRequest,
    year: int,
    month: int | None = None,
    day: int | None = None,
    page: int = 1,
) -> HttpResponse:
    archive = selectors.post_list_for_date(year=year, month=month, day=day, page=page)
    context = {
        "page_obj": archive.page,
        "archive_date": archive,
        "pagination_base": archive.url,
        "meta": date_archive_metadata(archive=archive),
    }
    return render(request, "publishing/archive.html", context)
