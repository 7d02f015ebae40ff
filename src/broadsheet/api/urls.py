from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from broadsheet.api import posts  # noqa: F401  (registers the posts' endpoints)
from broadsheet.api.endpoints import api
from broadsheet.api.errors import not_found
from broadsheet.api.gate import gated
from broadsheet.api.reference import reference
from broadsheet.core.cache import cache_policy

app_name = "api"


def _gated(pattern: URLPattern) -> URLPattern:
    # CSRF is checked by api.auth for session writes only: a token or a guest carries none.
    view = csrf_exempt(gated(pattern.callback))
    if pattern.name is None:
        return path(str(pattern.pattern), view)
    return path(str(pattern.pattern), view, name=pattern.name)


@cache_policy("never")
def _nothing_here(request: HttpRequest, rest: str) -> JsonResponse:
    return not_found(
        request, gettext("The API has no such address: see /api/v1/ for the ones it has.")
    )


ninja_patterns, _, _ = api.urls
urlpatterns = [
    path("", reference, name="reference"),
    *(_gated(pattern) for pattern in ninja_patterns if isinstance(pattern, URLPattern)),
    re_path(r"^(?P<rest>.*)$", _nothing_here),
]
