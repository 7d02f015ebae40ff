"""The API's endpoints (/api/v1/, docs/api.md): each reads its caller, calls one selector or
action, and answers in the shapes of api.schemas. Errors are raised as ApiError (api.errors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI, Query, Status
from pydantic_core import to_json

from broadsheet.api import errors, schemas, selectors
from broadsheet.api.auth import COMMENT, MODERATE, READ, caller
from broadsheet.api.errors import ApiError
from broadsheet.api.writing import (
    comment_change,
    comment_create,
    comment_moderate,
    comment_preview,
    comment_take_back,
)
from broadsheet.core.pagecache import (
    LISTINGS,
    SITE,
    etag_matches,
    page_shows_post,
    post_dependency,
    versions_etag,
)

api = NinjaAPI(
    title="Broadsheet API",
    version="1",
    description="Threads, comments, counts and posts. See docs/api.md.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
errors.install(api)
# Every refusal the gate or an endpoint may answer, all in the one shape (api.errors).
ERROR_CODES = frozenset({400, 401, 403, 404, 405, 409, 413, 415, 422, 429})
Failures = {ERROR_CODES: schemas.Error}
JSON = "application/json; charset=utf-8"


def unchanged_since(request: HttpRequest, etag: str) -> HttpResponse | None:
    """A 304 for a client holding the current answer, before anything is read."""
    if etag_matches(request, etag):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    return None


def tagged(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    return response


@api.get("/threads", response={200: schemas.Thread, **Failures}, summary="Find a thread")
def thread_find(
    request: HttpRequest, url: str | None = None, post: schemas.Id | None = None
) -> Any:
    """A thread by its page's address (`url`) or its post's id (`post`)."""
    caller(request, READ)
    if post is not None:
        found = selectors.readable_thread(post)
    elif url:
        found = selectors.thread_at(url)
    else:
        raise ApiError(
            400, "missing", gettext("Name the thread: ?url=<page address> or ?post=<id>."),
            fields={"url": gettext("Give the page's address, or the post's id as post.")},
        )  # fmt: skip
    if found is None and url:
        raise ApiError(
            404, "no_thread", gettext("This page has no thread yet: its first comment starts it.")
        )
    if found is None:
        raise ApiError(404, "not_found", gettext("There is no public post with this id."))
    return selectors.thread_data(found)


@api.get(
    "/threads/{thread_id}/comments",
    response={200: schemas.CommentPage, 304: None, **Failures},
    summary="A page of a thread's comments",
)
def thread_comments(
    request: HttpRequest, thread_id: schemas.Id, page: schemas.Page | None = None
) -> Any:
    """Approved comments, top-level threads paged as the site pages them, in thread order."""
    caller(request, READ)
    etag = versions_etag([SITE, post_dependency(thread_id)], f"comments:{thread_id}:{page}")
    unchanged = unchanged_since(request, etag)
    if unchanged is not None:
        return unchanged
    post = selectors.readable_thread(thread_id)
    if post is None:
        raise ApiError(404, "not_found", gettext("There is no public thread with this id."))
    page_shows_post(post.pk)
    # The JSON written directly (its shape is schemas.CommentPage, held by tests/api/test_rows.py
    # and schemathesis): ninja's validation and encoder are for answers not built here.
    # pydantic-core's encoder (ninja's own dependency) writes the same bytes as
    # json.dumps(ensure_ascii=False, separators=(",", ":")), four times as fast on 200 comments.
    body = to_json(selectors.thread_comments(post, page))
    response = HttpResponse(body, content_type=JSON)
    return tagged(response, etag)


@api.get("/counts", response={200: schemas.Counts, **Failures}, summary="Comment counts")
def comment_counts(request: HttpRequest, pages: Query[schemas.CountsQuery]) -> Any:
    """Approved comments of up to 100 pages, by address (`url=`) or post id (`post=`)."""
    caller(request, READ)
    url, post = pages.url, pages.post
    etag = versions_etag([SITE, LISTINGS], "counts:" + "\n".join([*url, *map(str, post)]))
    unchanged = unchanged_since(request, etag)
    if unchanged is not None:
        return unchanged
    data = {"counts": selectors.counts(url, post)}
    return tagged(api.create_response(request, data, status=200), etag)


@api.post("/comments", response={201: schemas.CreatedComment, **Failures}, summary="Comment")
def comment_post(request: HttpRequest, payload: schemas.CommentIn) -> Any:
    """Write a comment, as a guest or signed in, through the same rules as the site's form."""
    who = caller(request, COMMENT)
    return Status(201, comment_create(request, who, payload))


@api.patch("/comments/{comment_id}", response={200: schemas.Comment, **Failures}, summary="Edit")
def comment_edit(request: HttpRequest, comment_id: schemas.Id, payload: schemas.CommentEdit) -> Any:
    """Change the words of one's own comment, within the edit window (guests: X-Edit-Key)."""
    return comment_change(request, caller(request, COMMENT), comment_id, payload.body)


@api.delete("/comments/{comment_id}", response={204: None, **Failures}, summary="Delete")
def comment_delete(request: HttpRequest, comment_id: schemas.Id) -> Any:
    """Take back one's own comment, within the edit window (guests: X-Edit-Key)."""
    comment_take_back(request, caller(request, COMMENT), comment_id)
    return Status(204, None)


@api.post(
    "/comments/{comment_id}/moderate",
    response={200: schemas.Comment, **Failures},
    summary="Moderate a comment",
)
def comment_moderate_view(
    request: HttpRequest, comment_id: schemas.Id, payload: schemas.Moderation
) -> Any:
    """Approve, hold, mark as spam or trash (moderators: scope moderate, or the session)."""
    return comment_moderate(caller(request, MODERATE), comment_id, payload.action)


@api.post("/preview", response={200: schemas.PreviewOut, **Failures}, summary="Preview")
def preview(request: HttpRequest, payload: schemas.Preview) -> Any:
    """A comment's Markdown as the thread will show it."""
    caller(request, COMMENT)
    return {"html": comment_preview(payload.body)}
