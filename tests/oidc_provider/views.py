"""Small views of the test provider besides DOT's and the login page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

AVATAR_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">
<rect width="96" height="96" rx="48" fill="#2b5f8a"/>
<text x="48" y="60" font-family="sans-serif" font-size="40" text-anchor="middle" fill="#fff">R</text>
</svg>
"""


def avatar(request: HttpRequest) -> HttpResponse:
    """The ``picture`` claim points here, so clients can fetch a real image from loopback."""
    response = HttpResponse(AVATAR_SVG, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response
