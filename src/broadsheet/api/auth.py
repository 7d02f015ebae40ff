"""Who is calling the API, and what they may do.

A personal access token (`Authorization: Bearer bs_…`, accounts.tokens) carries scopes: read,
comment, moderate. Without one the site's session speaks (its own pages), with Django's CSRF
check for writes; without either the caller is a guest, who may read and comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext

from broadsheet.accounts.models import AccessToken
from broadsheet.accounts.tokens import token_for_secret
from broadsheet.api.errors import ApiError

READ, COMMENT, MODERATE = "read", "comment", "moderate"


@dataclass(frozen=True)
class Caller:
    user: Any  # an account, or None for a guest
    token: AccessToken | None
    ip: str | None

    @property
    def is_moderator(self) -> bool:
        return self.user is not None and bool(self.user.has_perm("discussion.change_comment"))


def client_ip(request: HttpRequest) -> str | None:
    return client_ip_of(request.META)


def client_ip_of(meta: Any) -> str | None:
    """The caller's address from a request's META (or a WSGI environ: the page cache's hits)."""
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUST_X_FORWARDED_FOR and forwarded:
        return str(forwarded.split(",")[-1].strip())
    address = meta.get("REMOTE_ADDR")
    return str(address) if address is not None else None


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    kind, _, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401, "invalid_token", gettext("Send a personal access token as: Bearer bs_….")
        )
    return secret.strip()


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _csrf_checked(request: HttpRequest) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    refused = CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {})
    if refused is not None:
        raise ApiError(
            403,
            "csrf",
            gettext(
                "The site's session needs its CSRF token (X-CSRFToken) for writes; "
                "scripts use a personal access token instead."
            ),
        )


def caller(request: HttpRequest, scope: str) -> Caller:
    """The caller, if they may do `scope` here; else an ApiError (401 or 403)."""
    secret = _bearer(request)
    if secret is not None:
        token = token_for_secret(secret)
        if token is None:
            raise ApiError(
                401, "invalid_token", gettext("This access token is unknown or revoked.")
            )
        if scope not in token.scopes:
            raise ApiError(
                403,
                "insufficient_scope",
                # Translators: the scope is a name the API knows: read, comment or moderate.
                gettext("This access token may not %(scope)s: make one with the “%(scope)s” scope.")
                % {"scope": scope},
            )
        return Caller(user=token.user, token=token, ip=client_ip(request))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        _csrf_checked(request)
        return Caller(user=user, token=None, ip=client_ip(request))
    if scope == MODERATE:
        raise ApiError(
            401, "not_signed_in", gettext("Moderation needs a moderator's access token.")
        )
    return Caller(user=None, token=None, ip=client_ip(request))
