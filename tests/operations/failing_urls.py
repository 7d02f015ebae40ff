"""The site's URLs plus one view that fails, for the error page and log tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from broadsheet.urls import handler404  # noqa: F401
from broadsheet.urls import urlpatterns as site_urls

handler500 = "broadsheet.core.views.server_error"


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("kaboom <script>alert(1)</script>")


urlpatterns = [path("boom/", boom), *site_urls]
