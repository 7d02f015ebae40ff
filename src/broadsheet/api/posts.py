"""Read-only posts for scripts: the public essays, one essay, and its references (CSL-JSON)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext

from broadsheet.api import schemas
from broadsheet.api.auth import READ, caller
from broadsheet.api.endpoints import Failures, api, tagged, unchanged_since
from broadsheet.api.errors import ApiError
from broadsheet.api.selectors import absolute
from broadsheet.core.pagecache import LISTINGS, SITE, page_shows_post, versions_etag
from broadsheet.publishing.csl_json import reference_to_csl
from broadsheet.publishing.models import Post


def _summary(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "title": post.title,
        "url": absolute(post.get_absolute_url()),
        "published": post.published_at.isoformat() if post.published_at else None,
        "excerpt_html": post.excerpt_html,
        "comment_count": post.comment_count,
        "language": post.language,
    }


def _public_post(post_id: int) -> Post:
    """A public post or page (a thread of a page elsewhere is not one)."""
    post = Post.objects.public().filter(pk=post_id).prefetch_related("authors__profile").first()
    if post is None:
        raise ApiError(404, "not_found", gettext("There is no public post with this id."))
    page_shows_post(post.pk)
    return post


@api.get("/posts", response={200: schemas.PostList, 304: None, **Failures}, summary="Posts")
def post_list(request: HttpRequest, page: schemas.Page = 1) -> Any:
    """Public essays, newest first, a page at a time (the home page's size)."""
    caller(request, READ)
    etag = versions_etag([SITE, LISTINGS], f"posts:{page}")
    unchanged = unchanged_since(request, etag)
    if unchanged is not None:
        return unchanged
    listed = Post.objects.public().posts().defer("body", "body_html", "footnotes_html", "toc")
    paginator = Paginator(listed, settings.POSTS_PER_PAGE, allow_empty_first_page=True)
    try:
        shown = paginator.page(page)
    except EmptyPage:
        raise ApiError(
            404,
            "not_found",
            ngettext("There is %(count)s page.", "There are %(count)s pages.", paginator.num_pages)
            % {"count": paginator.num_pages},
        ) from None
    data = {"page": page, "pages": paginator.num_pages, "posts": [_summary(p) for p in shown]}
    return tagged(api.create_response(request, data, status=200), etag)


@api.get("/posts/{post_id}", response={200: schemas.PostDetail, **Failures}, summary="A post")
def post_detail(request: HttpRequest, post_id: schemas.Id) -> Any:
    caller(request, READ)
    post = _public_post(post_id)
    return {
        **_summary(post),
        "html": post.body_html,
        "authors": [author.display_name for author in post.authors.all()],
        "comments_open": post.comments_open,
    }


@api.get(
    "/posts/{post_id}/references",
    response={200: schemas.References, **Failures},
    summary="A post's references",
)
def post_references(request: HttpRequest, post_id: schemas.Id) -> Any:
    """The works the essay cites, each as a CSL-JSON item."""
    caller(request, READ)
    post = _public_post(post_id)
    references = [
        {"key": ref.key, "kind": ref.kind, "title": ref.title, "csl": reference_to_csl(ref)}
        for ref in post.references.all()
    ]
    return {"references": references}
