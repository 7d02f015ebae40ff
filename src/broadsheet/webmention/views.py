"""The Webmention endpoint (W3C Webmention 3.2): a request is checked, queued for the worker,
and answered 202 with the address of its status page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.webmention import limits, requests, services
from broadsheet.webmention.models import Mention

_TEXT = "text/plain; charset=utf-8"


@csrf_exempt  # other sites post here: there is no session or form of ours to protect
@require_POST
@cache_policy("never")
def receive(request: HttpRequest) -> HttpResponse:
    wait = limits.ip_over_limit(request)
    if wait:
        return _too_many(wait)
    try:
        checked = requests.checked(
            source=request.POST.get("source"),
            target=request.POST.get("target"),
            our_hosts=requests.our_hosts(request.get_host()),
        )
    except requests.Refused as why:
        return HttpResponse(f"{why}\n", status=400, content_type=_TEXT)
    wait = limits.source_over_limit(checked.source)
    if wait:
        return _too_many(wait)
    mention = services.mention_receive(
        source=checked.source, target=checked.target, post=checked.post
    )
    response = HttpResponse(
        "Thank you: the mention will be checked shortly.\n", status=202, content_type=_TEXT
    )
    response["Location"] = request.build_absolute_uri(f"{mention.token}/")
    return response


def _too_many(wait: int) -> HttpResponse:
    response = HttpResponse(
        f"Too many Webmentions: try again in {wait} seconds.\n", status=429, content_type=_TEXT
    )
    response["Retry-After"] = str(wait)
    return response


@require_safe
@cache_policy("never")
def status(request: HttpRequest, token: str) -> HttpResponse:
    mention = get_object_or_404(Mention, token=token)
    lines = [
        f"Source: {mention.source}",
        f"Target: {mention.target}",
        f"Status: {mention.get_status_display()}",
    ]
    if mention.reason:
        lines.append(f"Why: {mention.reason}")
    return HttpResponse("\n".join(lines) + "\n", content_type=_TEXT)
