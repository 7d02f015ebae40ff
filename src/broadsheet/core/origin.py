"""Cross-site checks for the POSTs that come from cached, token-free forms (decision 0005).

The comment form is the same for every anonymous reader, so it carries no CSRF token; what it
posts to (a comment, a sign-in from the form) instead refuses a request whose `Origin` names
another site, and checks the token as usual for a signed-in reader, whose page carries one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.functional import Promise


def same_origin(request: HttpRequest) -> bool:
    """False when the browser says the request came from another site (or an opaque origin).

    A missing Origin is let through: old browsers send none, and they send the session cookie
    only to same-site requests anyway (SameSite=Lax)."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    allowed = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in allowed


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def cross_site_refusal(request: HttpRequest, message: str | Promise) -> HttpResponse | None:
    """The answer to a forged POST from another site, or None when it may proceed. The
    message may be lazy (gettext_lazy): it is translated only for a refusal."""
    if not same_origin(request):
        return HttpResponse(str(message), status=403, content_type="text/plain; charset=utf-8")
    if request.user.is_authenticated:
        # Checked against a stand-in view: the calling view is marked exempt.
        failure: HttpResponse | None = CsrfViewMiddleware(_no_view).process_view(
            request, _no_view, (), {}
        )
        return failure
    return None
