"""/embed.js, the embed's sign-in popup, and the no-JavaScript link to a page's thread."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path

from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import DjangoTranslation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import JavaScriptCatalog

from broadsheet.accounts.comment_login import SITE, login_options, signed_in_with
from broadsheet.accounts.limits import sign_in_start_refused
from broadsheet.core.cache import cache_policy
from broadsheet.core.compress import gzipped
from broadsheet.core.numerals import numbering_system
from broadsheet.discussion.models import DiscussionSettings
from broadsheet.embed.middleware import SIGN_IN_NONCE_KEY, SIGN_IN_ORIGIN_KEY
from broadsheet.embed.origins import allowed_origin, origin_of
from broadsheet.embed.tokens import TOKEN_MINUTES, token_issue

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "broadsheet" / "embed" / "embed.js"
_UNSAFE_NONE = "unsafe-none"
_CLAIM = "embed-claim:"
_CLAIM_SECONDS = 300
_NONCE = re.compile(r"[0-9a-f]{32,64}")


_WORDS = "var WORDS = {}; /* words */"
_LANGUAGE = 'var LANGUAGE = "en", NUMBERING = "latn"; /* language */'
_PLURAL = "function plural(n) { return n === 1 ? 0 : 1; } /* plural */"


@functools.cache
def script(language: str = "en") -> tuple[bytes, str]:
    """embed.js in the site's language, and its ETag (made once per process: a deploy
    restarts the workers), its gzipped bytes made now, at the highest level: the answers to
    readers take them from core.compress's memory (decision 0101)."""
    body = SCRIPT.read_bytes()
    if language.split("-")[0] != "en":
        body = _with_words(body.decode(), language).encode()
    etag = f'"embed-{hashlib.sha256(body).hexdigest()[:16]}"'
    gzipped(body, etag, level=9)
    return body, etag


def _with_words(text: str, language: str) -> str:
    """The script with the site's catalog, plural rule and language (its digits, decision
    0116) written in (decision 0127): the embed runs on other sites' pages, where a catalog's
    globals would be theirs to clash."""
    view = JavaScriptCatalog(domain="djangojs")
    with translation.override(language):
        view.translation = DjangoTranslation(language, domain="djangojs")
        catalog = view.get_catalog()
        expression = str(view.get_plural() or "n != 1")
    words = json.dumps(catalog, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    if not _PLURAL_RULE.fullmatch(expression):
        expression = "n != 1"
    text = text.replace(_WORDS, f"var WORDS = {words};", 1)
    digits = json.dumps(numbering_system(language))
    text = text.replace(
        _LANGUAGE, f"var LANGUAGE = {json.dumps(language)}, NUMBERING = {digits};", 1
    )
    return text.replace(_PLURAL, f"function plural(n) {{ return {expression}; }}", 1)


# A gettext plural rule: n, numbers, operators, parentheses (never anything else in a script).
_PLURAL_RULE = re.compile(r"[n0-9\s%<>=!&|?:()+\-*/]+")


@require_safe
@cache_policy("public", max_age=3600)
def embed_js(request: HttpRequest) -> HttpResponse:
    body, etag = script(settings.LANGUAGE_CODE)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    return response


@require_safe
@cache_policy("public", max_age=300)
def sign_in_options(request: HttpRequest) -> JsonResponse:
    """The form's choices: the sign-in icons, and whether it offers "Notify me of follow-up
    comments" (Settings → Discussion), before any thread exists."""
    options = [{"id": o.id, "name": o.name, "mark": o.mark} for o in login_options(request)]
    notify = DiscussionSettings.current().show_subscription_options
    return JsonResponse({"options": options, "notify": notify})


def _start(request: HttpRequest, provider_id: str, done: str) -> HttpResponse:
    if provider_id == SITE:
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': done})}")
    try:
        provider = get_social_adapter(request).get_provider(request, provider_id)
    except Exception:  # allauth raises SocialApp.DoesNotExist and others for unknown ids
        raise Http404("No such sign-in provider.") from None
    response: HttpResponse = provider.redirect(request, AuthProcess.LOGIN, next_url=done)
    return response


@csrf_exempt  # posted by the embedding page into the popup: checked by its Origin instead
@require_POST
@cache_policy("never")
def sign_in_start(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The popup's first page: an allowed site's embed posts here, naming its origin."""
    origin = allowed_origin(request.headers.get("Origin"))
    if origin is None or origin != allowed_origin(request.POST.get("origin")):
        return HttpResponse(
            _("Signing in can only be started from a site allowed to embed this one's threads."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    refused = sign_in_start_refused(request)
    if refused is not None:
        return refused
    response = _start(request, provider_id, reverse("embed_sign_in_done"))
    request.session[SIGN_IN_ORIGIN_KEY] = origin  # only once the sign-in really starts
    nonce = str(request.POST.get("nonce", ""))
    request.session[SIGN_IN_NONCE_KEY] = nonce if _NONCE.fullmatch(nonce) else ""
    response["Cross-Origin-Opener-Policy"] = _UNSAFE_NONE
    return response


@require_safe
@cache_policy("never")
def sign_in_done(request: HttpRequest) -> HttpResponse:
    """The popup's last page: hands the embedding page its token, then closes."""
    origin = allowed_origin(request.session.pop(SIGN_IN_ORIGIN_KEY, None))
    nonce = str(request.session.pop(SIGN_IN_NONCE_KEY, ""))
    user = request.user
    token = ""
    if origin and user.is_authenticated:
        token = token_issue(user_id=user.pk, origin=origin, provider=signed_in_with(request))
    if token and nonce:
        name = getattr(user, "display_name", "")
        held = {"token": token, "name": name, "provider": signed_in_with(request)}
        cache.set(_claim_key(nonce), {**held, "origin": origin}, _CLAIM_SECONDS)
    context = {
        "origin": origin or "",
        "token": token,
        "name": getattr(user, "display_name", ""),
        "provider": signed_in_with(request) if token else "",
        "minutes": TOKEN_MINUTES,
    }
    response = render(request, "embed/sign_in_done.html", context)
    response["Cross-Origin-Opener-Policy"] = _UNSAFE_NONE
    return response


def _claim_key(nonce: str) -> str:
    return _CLAIM + hashlib.sha256(nonce.encode()).hexdigest()


@csrf_exempt  # no cookie comes with it: the nonce, known only to the embedding page, is the key
@require_POST
@cache_policy("never")
def sign_in_claim(request: HttpRequest) -> JsonResponse:
    """The token, once, to the page whose sign-in window could not reach it (a provider's
    opener policy cuts the window off from its opener): the page asks with its nonce."""
    try:
        nonce = str(json.loads(request.body or b"{}").get("nonce", ""))
    except (ValueError, AttributeError):
        nonce = ""
    origin = allowed_origin(request.headers.get("Origin"))
    held = cache.get(_claim_key(nonce)) if _NONCE.fullmatch(nonce) and origin else None
    if not isinstance(held, dict) or held.get("origin") != origin:
        return JsonResponse({"waiting": True}, status=202)
    cache.delete(_claim_key(nonce))
    return JsonResponse(
        {"token": held["token"], "name": held["name"], "provider": held["provider"]}
    )


@require_safe
@cache_policy("public", max_age=300)
def thread_link(request: HttpRequest) -> HttpResponse:
    """The no-JavaScript link: the page's thread on this site, or a page saying there is none."""
    from broadsheet.publishing.threads import thread_for_url

    url = str(request.GET.get("url", ""))[:500]
    ours = allowed_origin(origin_of(url)) is not None
    post = thread_for_url(url, title="", create=False) if ours else None
    if post is not None:
        return HttpResponseRedirect(post.get_absolute_url())
    return render(request, "embed/no_thread.html", {"url": url if ours else ""}, status=404)
