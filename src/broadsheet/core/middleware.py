from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

_FORM_TARGETS: list[Callable[[], Iterable[str]]] = []


def form_action_register(origins: Callable[[], Iterable[str]]) -> None:
    """An app whose forms lead elsewhere names those origins (accounts: the sign-in providers
    that are set up), asked again for each response. Registered in the app's ready()."""
    if origins not in _FORM_TARGETS:
        _FORM_TARGETS.append(origins)


def content_security_policy() -> str:
    """No inline scripts or styles anywhere; everything is served from the site itself.

    Forms may post only here, and to the origins the apps registered: the comment form's
    provider icons post to us and are redirected there, and browsers apply form-action to
    that redirect too.
    """
    elsewhere = {origin for origins in _FORM_TARGETS for origin in origins()}
    form_action = " ".join(["'self'", *sorted(elsewhere)])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https:",
            "media-src 'self' https:",  # the players of imported [audio] and [video]
            "font-src 'self'",
            "connect-src 'self'",
            f"form-action {form_action}",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: the CSP and a permissions policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        return response


class DefaultPrivateCacheMiddleware:
    """A response that declares no cache policy is private: forms, accounts, the admin.

    Our own public views declare theirs (core.cache.cache_policy); this covers the pages of
    third-party apps (django-allauth, the admin), so no shared cache ever keeps a personal page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response


# Addresses whose callers read errors as JSON: the API registers its prefix (api.apps), as
# core cannot know the apps above it.
JSON_ERROR_PREFIXES: list[str] = []


class RejectNulBytesMiddleware:
    """A NUL byte in the address is never a real page, and PostgreSQL refuses it in text."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or "%00" in request.META.get("QUERY_STRING", "")
        ):
            message = gettext("The address contains a NUL byte.")
            if request.path.startswith(tuple(JSON_ERROR_PREFIXES)):
                error = {"code": "nul", "message": message}
                return JsonResponse({"error": error}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain")
        return self.get_response(request)
