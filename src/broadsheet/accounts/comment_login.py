"""Signing in from the comment form, keeping the comment being written.

Without JavaScript, each provider icon is a submit button of the comment form itself: the draft
travels with it, is kept in the session, and is put back in the box when the reader returns.
With JavaScript, the icon opens a popup and posts to it (a sign-in starts only with a POST,
as allauth's SOCIALACCOUNT_LOGIN_ON_GET=False intends: a link or an image elsewhere cannot start
one); the page never reloads, so the draft simply stays where it is; the popup ends on
/accounts/popup-done/, which tells the page.

Both POSTs come from the cached, token-free comment form, so they refuse other sites' origins
as the comment POST does (broadsheet.core.origin), and count against the `login` limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from broadsheet.accounts.limits import sign_in_start_refused
from broadsheet.core.cache import cache_policy
from broadsheet.core.converters import id_or_none
from broadsheet.core.models import SiteSettings
from broadsheet.core.origin import cross_site_refusal
from broadsheet.core.requestmemo import forget, remembered

RETURN_KEY = "broadsheet.comment_return"
DRAFT_KEY = "broadsheet.comment_draft"
PROVIDER_KEY = "broadsheet.signed_in_with"
SITE = "site"
POPUP_DONE = "/accounts/popup-done/"
# The comment form's fields kept while its writer signs in, each with its longest value, and
# how to find the post the form belongs to. The discussion app, which owns the form, registers
# them (comment_form_register).
_draft_limits: dict[str, int] = {}
_DRAFT_IDS = ("parent_id", "post_id")
_post_lookup: list[Callable[..., Any]] = []


def comment_form_register(*, limits: Mapping[str, int], post: Callable[..., Any]) -> None:
    """Called by the app that owns the comment form: its fields and their maximum lengths, and
    `post(pk=…, user=…)`, the post of that id if `user` may comment on it (else None)."""
    _draft_limits.update(limits)
    _post_lookup[:] = [post]


_MARKS = {
    "facebook": "f",
    "google": "G",
    "twitter_oauth2": "𝕏",
    "github": "GH",
    "orcid": "iD",
    "wordpress_com": "W",
}
_OPTIONS_CACHE = "broadsheet:login-options:v2"


@dataclass(frozen=True)
class LoginOption:
    id: str
    name: str
    mark: str
    url: str  # where the form's icon button posts (no JavaScript)
    popup_url: str  # the sign-in window the script opens instead

    @classmethod
    def of(cls, id: str, name: str, mark: str) -> LoginOption:
        popup_url = reverse("comment_login_popup", args=[id])
        return cls(id, name, mark, reverse("comment_login"), popup_url)


def login_options(request: HttpRequest) -> list[LoginOption]:
    """The site's own accounts first, then every configured social provider.

    Cached (providers added in the admin clear it), so anonymous pages pay no query for it.
    """
    return remembered(_OPTIONS_CACHE, lambda: _login_options(request))


def _login_options(request: HttpRequest) -> list[LoginOption]:
    found: list[LoginOption] | None = cache.get(_OPTIONS_CACHE)
    if found is None:
        title = SiteSettings.current().title or "this site"
        found = [LoginOption.of(SITE, title, title[:1].upper())]
        for provider in get_social_adapter(request).list_providers(request):
            provider_id = provider.app.provider_id or provider.id
            found.append(
                LoginOption.of(
                    provider_id, provider.name, _MARKS.get(provider.id, provider.name[:1].upper())
                )
            )
        cache.set(_OPTIONS_CACHE, found, timeout=3600)
    return found


def forget_login_options(**kwargs: Any) -> None:
    cache.delete(_OPTIONS_CACHE)
    forget(_OPTIONS_CACHE)


def _start(request: HttpRequest, option_id: str, return_url: str) -> HttpResponse:
    if option_id == SITE:
        request.session[RETURN_KEY] = return_url
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': return_url})}")
    try:
        provider = get_social_adapter(request).get_provider(request, option_id)
    except Exception:  # allauth raises SocialApp.DoesNotExist and others for unknown ids
        raise Http404("No such sign-in provider.") from None
    request.session[RETURN_KEY] = return_url  # only once the sign-in really starts
    response: HttpResponse = provider.redirect(request, AuthProcess.LOGIN, next_url=return_url)
    return response


def _posted_post(request: HttpRequest) -> Any:
    """The post the comment form belongs to, if the reader may see it."""
    pk = id_or_none(request.POST.get("post_id"))
    return _post_lookup[0](pk=pk, user=request.user) if _post_lookup else None


def _draft(request: HttpRequest) -> dict[str, str]:
    """What the form held, each field cut to the form's own limit (the browser's maxlength
    stops a person there; only a forged form sends more)."""
    draft = {name: request.POST.get(name, "")[:limit] for name, limit in _draft_limits.items()}
    for name in _DRAFT_IDS:
        number = id_or_none(request.POST.get(name))
        draft[name] = "" if number is None else str(number)
    return draft


_CROSS_SITE = _("Signing in can only be started from this site.")


@csrf_exempt  # reached from the anonymous (token-free) comment form: checked by origin instead
@require_POST
@cache_policy("never")
def comment_login(request: HttpRequest) -> HttpResponse:
    """An icon pressed without JavaScript: keep the draft, then go to the provider."""
    refused = cross_site_refusal(request, _CROSS_SITE) or sign_in_start_refused(request)
    if refused is not None:
        return refused
    post = _posted_post(request)
    if post is None:
        raise Http404("No such post.")
    # An unknown provider is refused before the draft is kept: a refusal stores nothing.
    response = _start(
        request, request.POST.get("provider", SITE), f"{post.get_absolute_url()}#respond"
    )
    request.session[DRAFT_KEY] = _draft(request)
    return response


def local_next(request: HttpRequest) -> str:
    """The `next` address given, if it is a page of this site ("" otherwise)."""
    wanted = str(request.POST.get("next") or request.GET.get("next") or "")[:2000]
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


def popup_done_url(back: str) -> str:
    """Where a sign-in in a popup ends; `back` is the essay, for a sign-in that ends in a tab
    of its own instead (a sign-up finished from the verification email)."""
    return f"{POPUP_DONE}?{urlencode({'next': back})}" if back else POPUP_DONE


@csrf_exempt  # posted by the comment page's script into the popup: checked by origin instead
@require_POST
@cache_policy("never")
def comment_login_popup(request: HttpRequest, provider_id: str) -> HttpResponse:
    """An icon pressed with JavaScript: the popup window starts here (the draft stays in the
    page, so none is kept)."""
    refused = cross_site_refusal(request, _CROSS_SITE) or sign_in_start_refused(request)
    if refused is not None:
        return refused
    return _start(request, provider_id, popup_done_url(local_next(request)))


@require_safe
@cache_policy("never")
def popup_done(request: HttpRequest) -> HttpResponse:
    errors = [str(m) for m in messages.get_messages(request) if m.level >= messages.ERROR]
    request.session.pop(RETURN_KEY, None)
    response = render(
        request,
        "accounts/popup_done.html",
        {
            "ok": request.user.is_authenticated and not errors,
            "error": " ".join(errors),
            "back": local_next(request),
        },
    )
    # The popup came back from the provider's site; a stricter opener policy here would cut
    # it off from the page that opened it, which is waiting for its message.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def take_draft(request: HttpRequest, post_id: int) -> dict[str, Any] | None:
    """The comment a reader was writing before signing in, once, for this post only."""
    draft = request.session.get(DRAFT_KEY)
    if not isinstance(draft, dict) or str(draft.get("post_id")) != str(post_id):
        return None
    del request.session[DRAFT_KEY]
    request.session.pop(RETURN_KEY, None)
    return draft


def signed_in_with(request: HttpRequest) -> str:
    return str(request.session.get(PROVIDER_KEY) or SiteSettings.current().title or "site")


@require_POST
@cache_policy("never")
def comment_logout(request: HttpRequest) -> HttpResponse:
    """ "Log Out" on the comment form: sign out, and keep what was typed in the box."""
    from django.contrib.auth import logout

    post = _posted_post(request)
    draft = _draft(request)
    logout(request)  # a new session: the draft goes into that one
    if post is None:
        return HttpResponseRedirect("/")
    request.session[DRAFT_KEY] = draft
    return HttpResponseRedirect(f"{post.get_absolute_url()}#respond")
