from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.core.identicon import identicon_svg

# 16 hex digits (32 in addresses from before 2026-11, still answered).
_KEY = re.compile(r"^[0-9a-f]{16}(?:[0-9a-f]{16})?$")


@require_safe
@cache_policy("public", max_age=31_536_000)
def identicon(request: HttpRequest, key: str) -> HttpResponse:
    if not _KEY.match(key):
        raise Http404("No such avatar.")
    return HttpResponse(identicon_svg(key), content_type="image/svg+xml")


@require_safe
@cache_policy("public", max_age=86_400)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): send them ours."""
    return HttpResponsePermanentRedirect(static("broadsheet/favicon.svg"))


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, with the request's id for the reader to quote (core.requestlog)."""
    from django.template import loader

    from broadsheet.core.requestlog import current_request_id

    content = loader.get_template("500.html").render({"request_id": current_request_id()})
    return HttpResponse(content, status=500)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
