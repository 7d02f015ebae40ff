"""Pages reached from links in emails: they need no account and never change anything on GET
(mail scanners open links), except that RFC 8058 one-click unsubscribe is a POST by design."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

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
    manage_url,
    subscription_cancel,
    subscription_confirm,
    subscription_request,
)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


_ACTIONS = {
    "approve": pgettext_lazy("moderate a comment", "Approve"),
    "spam": pgettext_lazy("moderate a comment", "Mark as spam"),
    "trash": pgettext_lazy("moderate a comment", "Move to the Trash"),
}


def _what(subscription: Subscription) -> str:
    """What a subscription sends, as a phrase (lower case) in sentences about it."""
    if subscription.kind == Subscription.Kind.COMMENTS:
        return gettext("follow-up comments on a post")
    return gettext("new posts")


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
        request,
        gettext("This link does not work"),
        gettext("%(problem)s Nothing was changed.") % {"problem": error.message},
        status=400,
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
            gettext("No such subscription"),
            gettext("We hold no subscription for this link any more."),
            status=404,
        )
    if request.method == "GET":
        # Translators: the address, what it gets, and the subscription's state.
        shown = gettext("%(email)s: %(what)s (%(status)s)") % {
            "email": subscription.email,
            "what": subscription.get_kind_display(),
            "status": subscription.status,
        }
        return _page(
            request, gettext("Confirm your subscription"), shown, button=gettext("Confirm")
        )
    if subscription_confirm(subscription=subscription):
        return _page(
            request,
            gettext("Subscribed"),
            gettext("Thank you: %(email)s will get %(what)s.")
            % {"email": subscription.email, "what": _what(subscription)},
        )
    return _page(
        request,
        gettext("Already confirmed"),
        gettext("This subscription was confirmed already; nothing changed."),
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
            request,
            gettext("Nothing to unsubscribe"),
            gettext("We hold no such subscription; nothing will be sent."),
        )
    if request.method == "GET":
        return _page(
            request,
            gettext("Unsubscribe"),
            gettext("Stop %(what)s to %(email)s?")
            % {"what": _what(subscription), "email": subscription.email},
            button=gettext("Unsubscribe"),
        )
    subscription_cancel(subscription=subscription)
    return _page(
        request,
        gettext("Unsubscribed"),
        gettext("%(email)s will get no more %(what)s.")
        % {"email": subscription.email, "what": _what(subscription)},
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
        return _page(
            request,
            gettext("Check your email"),
            gettext("A confirmation link is on its way to %(email)s.") % {"email": email},
        )
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
            gettext("No such comment"),
            gettext("That comment no longer exists; nothing was changed."),
            status=404,
        )
    if request.method == "GET":
        problem = moderation_link_problem(link, comment)
        author = comment.author_name or gettext("Anonymous")
        if problem:
            title = gettext("This link does not work")
            message = gettext("%(problem)s Nothing will be changed.") % {"problem": problem}
        else:
            # Translators: the action asked, as a question ("Approve?").
            title = gettext("%(action)s?") % {"action": _ACTIONS[link.action]}
            message = gettext("The comment by %(author)s on “%(title)s”.") % {
                "author": author,
                "title": comment.post.title,
            }
        return _page(
            request,
            title,
            message,
            button="" if problem else str(_ACTIONS[link.action]),
            quote=comment.body_html,
        )
    try:
        comment_moderate_by_link(link=link)
    except LinkError as error:
        return _refused(request, error)
    author = comment.author_name or gettext("Anonymous")
    done = {
        "approve": gettext("The comment by %(author)s was approved."),
        "spam": gettext("The comment by %(author)s was marked as spam."),
        "trash": gettext("The comment by %(author)s was moved to the Trash."),
    }
    return _page(request, gettext("Done"), done[link.action] % {"author": author})


@require_safe
@login_required
@cache_policy("never")
def account_subscriptions(request: HttpRequest) -> HttpResponse:
    """The account's email subscriptions are managed on the same page a guest's link opens."""
    return HttpResponseRedirect(manage_url(request.user.email))  # type: ignore[union-attr]
