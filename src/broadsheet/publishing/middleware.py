from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from broadsheet.publishing.models import PostRedirect

_VERSION_SUFFIX = re.compile(r"/v/(?:\d{1,9}/(?:changes/)?)?$")


class OldPermalinkRedirectMiddleware:
    """A 404 at an address a post once had becomes a 301 to where the post lives now."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        # A published version's address lives under the post's: it moves with it.
        old_path, rest = request.path, ""
        version = _VERSION_SUFFIX.search(old_path)
        if version is not None:
            old_path, rest = old_path[: version.start() + 1], version.group(0)[1:]
        redirect = PostRedirect.objects.select_related("post").filter(old_path=old_path).first()
        if redirect is None or not redirect.post.is_public:
            return response
        target = redirect.post.get_absolute_url() + rest
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(target)
