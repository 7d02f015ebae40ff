from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

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


_catalog = JavaScriptCatalog.as_view()
STATIC_MAX_AGE = 31_536_000  # as WhiteNoise serves hashed static files


def javascript_catalog_url(language: str | None = None) -> str:
    """The JavaScript catalog's address for a language (the active one by default): named by
    the code's fingerprint, so a page always loads the catalog of the code that built it."""
    from broadsheet.core.pagecache import code

    return reverse("core:jsi18n", args=[language or translation.get_language(), code() or "source"])


@require_safe
@cache_policy("public", max_age=STATIC_MAX_AGE)  # set below, by the address's version
def javascript_catalog(request: HttpRequest, language: str, version: str) -> HttpResponseBase:
    """Django's JavaScript catalog (gettext() and friends for our scripts) in one of the
    site's languages, cached like a static file: the address changes with the code."""
    from broadsheet.core.pagecache import code

    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    with translation.override(language):
        response = _catalog(request)
    current = version == (code() or "source")
    # An old address (a page an older version built) still works, briefly cached.
    max_age = STATIC_MAX_AGE if current else 300
    response["Cache-Control"] = f"public, max-age={max_age}" + (", immutable" if current else "")
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
