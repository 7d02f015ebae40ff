"""Content negotiation on an essay's own address: asked for `application/activity+json` (or
ActivityStreams' `ld+json` profile), the essay's page answers with its Article, an author's
page with their actor. The page cache keeps the two answers apart (core.pagecache)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers

from broadsheet.core.pagecache import wants_activity_streams


class ActivityNegotiationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.FEDERATION_ENABLED or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if not wants_activity_streams(request.META.get("HTTP_ACCEPT", "")):
            return self.get_response(request)
        answer = _document(request.path_info)
        if answer is None:
            return self.get_response(request)
        patch_cache_control(answer, public=True, max_age=300)
        patch_vary_headers(answer, ["Accept"])
        return answer


def _document(path: str) -> HttpResponse | None:
    from broadsheet.federation import views
    from broadsheet.publishing.selectors import post_for_permalink

    try:
        match = resolve(path)
    except Resolver404:
        return None
    try:
        if match.view_name == "publishing:post":
            kwargs = {name: match.kwargs[name] for name in ("year", "month", "day", "slug")}
            found = post_for_permalink(user=AnonymousUser(), **kwargs)
            if found.post is None or not found.post.is_public:
                return None
            return views.article_response(found.post)
        if match.view_name == "publishing:author":
            return views.activity_json(
                views.documents.actor(views.local_actor(match.kwargs["username"]))
            )
    except Http404:
        return None
    except views.Gone as gone:
        return views._gone(str(gone))
    return None
