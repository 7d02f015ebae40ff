"""CORS for the embedding sites, and the embed's sign-in token (decisions 0076, 0077).

Only the API and the embed's own addresses answer other origins, and only those listed in
settings.EMBED_ALLOWED_ORIGINS. No cookie is ever asked for (no Allow-Credentials): a reader
signed in through the embed is known by the token its popup handed over.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from broadsheet.core.origin import same_origin
from broadsheet.embed.origins import allowed_origin
from broadsheet.embed.tokens import PREFIX, token_read

Handler = Callable[[HttpRequest], HttpResponseBase]
CORS_PATHS = ("/api/v1/", "/embed.js", "/embed/sign-in/options", "/embed/sign-in/claim")
SIGN_IN_ORIGIN_KEY = "broadsheet.embed_origin"
SIGN_IN_NONCE_KEY = "broadsheet.embed_nonce"
_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
_HEADERS = "Authorization, Content-Type, If-None-Match, X-Edit-Key"
_EXPOSED = "ETag, Retry-After, Location"


def _error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse(
        {"error": {"code": code, "message": message, "fields": {}}}, status=status
    )
    response["Cache-Control"] = "private, no-store"
    return response


class CorsMiddleware:
    """Answers preflights; names the caller's origin on the answers to allowed origins; refuses
    a write from any other site (a form on a foreign page can POST without a preflight)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(CORS_PATHS):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        allowed = allowed_origin(origin)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response: HttpResponseBase = self._preflight(allowed)
        elif request.method not in ("GET", "HEAD") and not allowed and not same_origin(request):
            response = _error(
                403, "origin_refused", _("This site may not write here from another site.")
            )
        else:
            response = self.get_response(request)
            if allowed:
                response["Access-Control-Allow-Origin"] = allowed
                response["Access-Control-Expose-Headers"] = _EXPOSED
        patch_vary_headers(response, ["Origin"])
        return response

    @staticmethod
    def _preflight(allowed: str | None) -> HttpResponse:
        if not allowed:
            return _error(
                403, "origin_refused", _("This site may not use the API from another site.")
            )
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = allowed
        response["Access-Control-Allow-Methods"] = _METHODS
        response["Access-Control-Allow-Headers"] = _HEADERS
        response["Access-Control-Max-Age"] = "600"
        response["Cache-Control"] = "private, no-store"
        return response


class EmbedTokenMiddleware:
    """A request carrying the embed's token is the reader's: the API sees them as request.user.

    The token is honoured only with the Origin it was issued to, so a token copied elsewhere is
    useless; and such a request carries no cookie, so Django's CSRF check (which guards
    cookies) does not apply to it. After AuthenticationMiddleware.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer " + PREFIX) or not request.path.startswith("/api/v1/"):
            return self.get_response(request)
        token = token_read(header[len("Bearer ") :])
        user = None
        if token is not None and allowed_origin(request.headers.get("Origin")) == token.origin:
            user = get_user_model().objects.filter(pk=token.user_id, is_active=True).first()
        if user is None:
            return _error(
                401, "token_invalid", _("Your sign-in has expired. Please sign in again.")
            )
        request.user = user
        request.embed_token = token  # type: ignore[attr-defined]
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        del request.META["HTTP_AUTHORIZATION"]  # the API's own tokens are another kind
        request.__dict__.pop("headers", None)  # a cached property, read above
        return self.get_response(request)


class SignInWindowMiddleware:
    """While a sign-in started from an embed is under way, the popup's pages on this site keep
    their tie to the page that opened it: our usual opener policy would cut it (even on the
    provider's redirect back), and the popup could not hand the token over."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path.startswith("/accounts/"):  # the session is read for these only
            return response
        session = getattr(request, "session", None)
        if session is not None and session.get(SIGN_IN_ORIGIN_KEY):
            response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response
