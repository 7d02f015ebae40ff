"""Cache policy for public views: every public view declares one (a test checks the URLconf).

`public` pages are the same for every anonymous reader; a request carrying a session is
answered privately so per-person bits never reach a shared cache.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

Policy = Literal["public", "private", "never"]
View = Callable[..., HttpResponseBase]


_PERSONAL: list[str] = []


def personal_cookie_register(name: str) -> None:
    """An app's cookie that makes a page personal (discussion's pending comments: a guest sees
    their own held comment): a request carrying it is never answered from, or stored in, the
    page cache. Registered in the app's ready()."""
    if name not in _PERSONAL:
        _PERSONAL.append(name)


def personal_cookies() -> tuple[str, ...]:
    """Cookies that make a page personal: the session, the one-off notices' ("You have signed
    out."), and those the apps registered.

    The saved-details cookie is not one: a script fills the form in, the page stays the same.
    """
    return (
        settings.SESSION_COOKIE_NAME,
        *_PERSONAL,
        getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
    )


def cache_policy(policy: Policy, *, max_age: int = 60) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if response.has_header("Cache-Control"):
                return response
            personal = any(name in request.COOKIES for name in personal_cookies())
            if policy == "public" and not personal:
                patch_cache_control(response, public=True, max_age=max_age)
                patch_vary_headers(response, ["Cookie"])
            elif policy == "never":
                patch_cache_control(response, private=True, no_store=True)
            else:
                patch_cache_control(response, private=True, no_cache=True)
            return response

        wrapped.cache_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorator
