"""Pages reached from links in emails: they need no account and never change anything on GET
(mail scanners open links), except that RFC 8058 one-click unsubscribe is a POST by design."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from broadsheet.core.cache import cache_policy
from broadsheet.core.converters import id_or_none
from broadsheet.discussion.models import Comment
from broadsheet.notifications.links import LinkError, read_token
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.moderation_links import (
    comment_moderate_by_link,
    moderation_link_from,
    moderation_link_problem,
)
from broadsheet.notifications.services import (
    CONFIRM_LINK_AGE,
    MANAGE_LINK_AGE,
    MODERATION_LINK_AGE,
    subscription_cancel,
    subscription_confirm,
    subscription_request,
)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


_ACTIONS = {"approve": "Approve", "spam": "Mark as spam", "trash": "Move to the Trash"}


def _page(
    request: HttpRequest, title: str, message: str, *, status: int = 200, **extra: object
) -> HttpResponse:
    return render(
        request,
        "notifications/page.html",
        {"title": title, "message": message, **extra},
        status=status,
    )


def _refused(request: HttpRequest, error: LinkError) -> HttpResponse:
    return _page(
        request, "This link does not work", f"{error.message} Nothing was changed.", status=400
    )


@require_http_methods(["GET", "POST"])
@cache_policy("never")
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = read_token("confirm", token, max_age=CONFIRM_LINK_AGE)
    except LinkError as error:
        return _refused(request, error)
    subscription = (
        Subscription.objects.select_related("post").filter(pk=_int(data.get("s"))).first()
    )
    if subscription is None:
        return _page(
            request,
            "No such subscription",
            "We hold no subscription for this link any more.",
            status=404,
        )
    if request.method == "GET":
        return _page(request, "Confirm your subscription", str(subscription), button="Confirm")
    if subscription_confirm(subscription=subscription):
        return _page(
            request,
            "Subscribed",
            f"Thank you: {subscription.email} will get {subscription.get_kind_display().lower()}.",
        )
    return _page(
        request, "Already confirmed", "This subscription was confirmed already; nothing changed."
    )


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no token
@require_http_methods(["GET", "POST"])
@cache_policy("never")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = read_token("unsubscribe", token, max_age=MANAGE_LINK_AGE)
    except LinkError as error:
        return _refused(request, error)
    subscription = Subscription.objects.filter(pk=_int(data.get("s"))).first()
    if subscription is None:
        return _page(
            request, "Nothing to unsubscribe", "We hold no such subscription; nothing will be sent."
        )
    if request.method == "GET":
        return _page(
            request,
            "Unsubscribe",
            f"Stop {subscription.get_kind_display().lower()} to {subscription.email}?",
            button="Unsubscribe",
        )
    subscription_cancel(subscription=subscription)
    return _page(
        request,
        "Unsubscribed",
        f"{subscription.email} will get no more {subscription.get_kind_display().lower()}.",
    )


@require_http_methods(["GET", "POST"])
@cache_policy("never")
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = read_token("manage", token, max_age=MANAGE_LINK_AGE)
    except LinkError as error:
        return _refused(request, error)
    email = str(data.get("e", ""))
    subscriptions = (
        Subscription.objects.filter(email=email)
        .exclude(status=Subscription.Status.CANCELLED)
        .select_related("post")
    )
    if request.method == "POST" and request.POST.get("subscribe_posts"):
        subscription_request(email=email, kind=Subscription.Kind.POSTS)
        return _page(request, "Check your email", f"A confirmation link is on its way to {email}.")
    if request.method == "POST":
        chosen = (
            subscriptions
            if request.POST.get("all")
            else subscriptions.filter(pk=id_or_none(request.POST.get("cancel")) or 0)
        )
        for subscription in chosen:
            subscription_cancel(subscription=subscription)
    listed = list(subscriptions)
    has_posts = any(
        s.kind == Subscription.Kind.POSTS and s.status == Subscription.Status.ACTIVE for s in listed
    )
    context = {"email": email, "subscriptions": listed, "has_posts": has_posts}
    return render(request, "notifications/manage.html", context)


@require_http_methods(["GET", "POST"])
@cache_policy("never")
def moderate(request: HttpRequest, token: str) -> HttpResponse:
    """Approve / Spam / Trash from the moderation email, without signing in: once per email,
    and only while the comment is as the email described it."""
    try:
        link = moderation_link_from(
            read_token("moderate", token, max_age=MODERATION_LINK_AGE), token
        )
    except LinkError as error:
        return _refused(request, error)
    comment = Comment.objects.select_related("post").filter(pk=link.comment_id).first()
    if comment is None or link.action not in _ACTIONS:
        return _page(
            request,
            "No such comment",
            "That comment no longer exists; nothing was changed.",
            status=404,
        )
    if request.method == "GET":
        problem = moderation_link_problem(link, comment)
        return _page(
            request,
            "This link does not work" if problem else f"{_ACTIONS[link.action]}?",
            f"{problem} Nothing will be changed."
            if problem
            else f"The comment by {comment.author_name or 'Anonymous'} on “{comment.post.title}”.",
            button="" if problem else _ACTIONS[link.action],
            quote=comment.body_html,
        )
    try:
        comment_moderate_by_link(link=link)
    except LinkError as error:
        return _refused(request, error)
    done = {"approve": "approved", "spam": "marked as spam", "trash": "moved to the Trash"}
    return _page(
        request,
        "Done",
        f"The comment by {comment.author_name or 'Anonymous'} was {done[link.action]}.",
    )
