"""Who is told what, by email: post authors, moderators, and subscribers.

Everything here only queues email in the outbox (in the caller's transaction); the worker sends.
A comment's emails are written by the worker too: the write that made or approved it only
marks it (`Comment.notice_due`; see `comments_notify_due`).
Email that exists because someone subscribed carries one-click unsubscribe headers (RFC 8058).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from broadsheet.accounts.language import email_language, email_languages, in_language
from broadsheet.core.models import SiteSettings
from broadsheet.core.webaddress import absolute_html
from broadsheet.discussion.addresses import comment_address
from broadsheet.discussion.anchors import THREAD_UNUSED, WITH_ANCHORS, quoted, responds_to
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.media.figures import figures_for_email
from broadsheet.notifications.links import DAY, absolute, make_token
from broadsheet.notifications.models import OutgoingEmail, Subscription
from broadsheet.notifications.moderation_links import moderation_email_id, moderation_link
from broadsheet.notifications.outbox import email_queue
from broadsheet.publishing.models import Post

logger = logging.getLogger(__name__)

MODERATION_LINK_AGE = 7 * DAY
CONFIRM_LINK_AGE = 7 * DAY
MANAGE_LINK_AGE = 365 * DAY
FAN_OUT_BATCH = 500


def _site() -> str:
    return SiteSettings.current().title or "Broadsheet"


def _render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """An email's text and HTML, in the active language (the caller's `in_language`)."""
    context = {"site_name": _site(), **context}
    return (
        render_to_string(f"notifications/email/{name}.txt", context),
        render_to_string(f"notifications/email/{name}.html", context),
    )


def manage_url(email: str) -> str:
    return absolute(
        reverse("notifications:manage", args=[make_token("manage", {"e": email.lower()})])
    )


def _unsubscribe_headers(subscription: Subscription) -> dict[str, str]:
    url = absolute(
        reverse(
            "notifications:unsubscribe", args=[make_token("unsubscribe", {"s": subscription.pk})]
        )
    )
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- subscriptions -----------------------------------------------------------------------


def subscription_request(
    *, email: str, kind: str, post: Post | None = None, user: Any = None
) -> Subscription:
    """Ask for a subscription: nothing is sent to it until the emailed link confirms it."""
    email = email.strip().lower()
    subscription, _created = Subscription.objects.get_or_create(
        email=email,
        kind=kind,
        post=post if kind == Subscription.Kind.COMMENTS else None,
        defaults={"user": user},
    )
    if subscription.status == Subscription.Status.ACTIVE:
        return subscription
    Subscription.objects.filter(pk=subscription.pk).update(
        status=Subscription.Status.PENDING, cancelled_at=None
    )
    subscription.status = Subscription.Status.PENDING
    token = make_token("confirm", {"s": subscription.pk})
    confirm_url = absolute(reverse("notifications:confirm", args=[token]))
    with in_language(email_language(user=user, email=email)):
        text, html = _render("confirm_subscription", {"post": post, "confirm_url": confirm_url})
        if post is not None:
            subject = _("Please confirm: follow-up comments on “%(title)s”") % {"title": post.title}
        else:
            subject = _("Please confirm: new posts on %(site)s") % {"site": _site()}
    # One confirmation per subscription and hour: asking again and again sends no storm.
    hour = int(timezone.now().timestamp() // 3600)
    email_queue(
        key=f"confirm-{subscription.pk}-{hour}", to=email, subject=subject,
        text=text, html=html, reason="confirm",
    )  # fmt: skip
    return subscription


def comment_subscriptions_request(
    *, comment: Comment, post: Post, comments: bool, posts: bool
) -> list[str]:
    """The comment form's two "Notify me" boxes (and the API's `notify_comments`,
    `notify_posts`): each asks for a subscription for the comment's address, confirmed by the
    emailed link. None for a comment without an address, or one judged spam or trash. Returns
    the kinds asked for."""
    if not comment.author_email or comment.status in (Comment.Status.SPAM, Comment.Status.TRASH):
        return []
    asked = [kind for kind, wanted in ((Subscription.Kind.COMMENTS, comments),
                                       (Subscription.Kind.POSTS, posts)) if wanted]  # fmt: skip
    if not asked:
        return []  # no empty transaction for the usual comment
    with transaction.atomic():
        for kind in asked:
            subscription_request(
                email=comment.author_email,
                kind=kind,
                post=post if kind == Subscription.Kind.COMMENTS else None,
                user=comment.user,
            )
    return [str(kind) for kind in asked]


def subscription_confirm(*, subscription: Subscription) -> bool:
    """Returns False when it was already active (a second click changes nothing)."""
    changed = (
        Subscription.objects.filter(pk=subscription.pk)
        .exclude(status=Subscription.Status.ACTIVE)
        .update(status=Subscription.Status.ACTIVE, confirmed_at=timezone.now(), cancelled_at=None)
    )
    return bool(changed)


def subscription_cancel(*, subscription: Subscription) -> bool:
    changed = (
        Subscription.objects.filter(pk=subscription.pk)
        .exclude(status=Subscription.Status.CANCELLED)
        .update(status=Subscription.Status.CANCELLED, cancelled_at=timezone.now())
    )
    return bool(changed)


# --- comments ----------------------------------------------------------------------------


def _recent_count(to: str, reasons: list[str]) -> int:
    since = timezone.now() - timedelta(hours=1)
    return OutgoingEmail.objects.filter(
        to_address=to, reason__in=reasons, created_at__gte=since
    ).count()


def _queue_or_digest(
    *, key: str, to: str, subject: str, text: str, html: str, headers: dict[str, str], reason: str
) -> None:
    """Past the hourly limit for one person, notices gather into one digest for the hour."""
    if OutgoingEmail.objects.filter(key=key[:200]).exists():
        return  # a task run again: queued already (and counted in the hour since)
    now = timezone.now()
    entry = f"\n\n— {subject}\n\n{text.strip()}"
    if _in_a_digest(to=to, entry=entry, since=now - timedelta(hours=2)):
        return  # a task run again: told in a digest already, maybe last hour's
    settings = DiscussionSettings.current()
    if _recent_count(to, ["comment", "reply"]) < settings.notification_digest_after:
        email_queue(
            key=key, to=to, subject=subject, text=text, html=html, headers=headers, reason=reason
        )
        return
    hour_end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    digest_key = f"digest-{to}-{hour_end:%Y%m%d%H}"
    digest = OutgoingEmail.objects.filter(
        key=digest_key, status=OutgoingEmail.Status.PENDING
    ).first()
    if digest is None:
        with in_language(email_language(email=to)):
            subject = _("More comments on %(site)s in the last hour") % {"site": _site()}
            opening = _("Several comments arrived this hour; here they are together.")
        email_queue(
            key=digest_key, to=to, subject=subject,
            text=f"{opening}{entry}", headers=headers, reason="digest",
        )  # fmt: skip
        OutgoingEmail.objects.filter(key=digest_key).update(next_attempt_at=hour_end)
    else:
        OutgoingEmail.objects.filter(pk=digest.pk, status=OutgoingEmail.Status.PENDING).update(
            text_body=digest.text_body + entry
        )


# A signed link's value:timestamp:signature. Its timestamp is the second it was made, so the
# same notice told again a second later reads differently there and only there.
_SIGNED = re.compile(r"[\w-]+:[0-9A-Za-z]{4,}:[\w-]{20,}")


def _in_a_digest(*, to: str, entry: str, since: datetime) -> bool:
    """Whether a digest to `to` since then, sent or not, tells this notice: a task run again
    after the hour turned must not tell it in the next hour's digest too."""
    bodies = OutgoingEmail.objects.filter(
        to_address=to, reason="digest", created_at__gte=since
    ).values_list("text_body", flat=True)
    told = _SIGNED.sub("…", entry)
    return any(told in _SIGNED.sub("…", body) for body in bodies)


def _comment_context(comment: Comment) -> dict[str, Any]:
    post_url = absolute(comment.post.get_absolute_url())
    return {
        "comment": comment,
        "post": comment.post,
        "comment_url": absolute(
            comment_address(comment=comment, settings=DiscussionSettings.current())
        ),
        "post_url": post_url,
        "quoted": quoted(responds_to(comment), post_url),  # the passage it responds to
    }


def notify_comment(*, comment_id: int) -> None:
    """A comment was written or approved: tell whoever should hear of it, once."""
    comment = (
        Comment.objects.select_related("post", "parent", *WITH_ANCHORS)
        .defer(*THREAD_UNUSED)
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.removed:
        return
    settings = DiscussionSettings.current()
    if comment.status == Comment.Status.PENDING and settings.moderation_notify:
        _notify_moderators(comment)
    if comment.status != Comment.Status.APPROVED:
        return
    context = _comment_context(comment)
    writer = (comment.author_email or "").lower()
    told: set[str] = {writer}
    if settings.comments_notify:
        for author in comment.post.authors.select_related("profile"):
            address = (author.email or "").lower()
            if address and address not in told:
                told.add(address)
                with in_language(email_language(user=author)):
                    text, html = _render("new_comment", context)
                    subject = _("[%(site)s] New comment on “%(title)s”") % {
                        "site": _site(),
                        "title": comment.post.title,
                    }
                email_queue(
                    key=f"comment-{comment.pk}-author-{author.pk}", to=address,
                    subject=subject, text=text, html=html,
                    headers={"Reply-To": comment.author_email} if comment.author_email else {}, reason="comment",
                )  # fmt: skip
    replied_to = (
        (comment.parent.author_email or "").lower() if comment.parent_id and comment.parent else ""
    )
    followers = list(
        Subscription.objects.filter(
            kind=Subscription.Kind.COMMENTS, status=Subscription.Status.ACTIVE, post=comment.post
        )
    )
    languages = email_languages(subscription.email for subscription in followers)
    for subscription in followers:
        if subscription.email in told:
            continue
        told.add(subscription.email)
        is_reply = subscription.email == replied_to
        names = {"name": comment.display_name, "title": comment.post.title}
        with in_language(languages[subscription.email.strip().lower()]):
            text, html = _render(
                "follow_up",
                {**context, "is_reply": is_reply, "manage_url": manage_url(subscription.email)},
            )
            subject = (
                _("%(name)s replied to you on “%(title)s”") % names
                if is_reply
                else _("New comment on “%(title)s”") % names
            )
        _queue_or_digest(
            key=f"comment-{comment.pk}-follow-{subscription.pk}", to=subscription.email, subject=subject,
            text=text, html=html, headers=_unsubscribe_headers(subscription), reason="reply" if is_reply else "comment",
        )  # fmt: skip


def comment_form_subscribe(*, comment: Comment, post: Post, data: Mapping[str, object]) -> None:
    """The comment form's two "Notify me" boxes (registered with discussion.forms): each
    starts a subscription that the emailed link confirms."""
    comment_subscriptions_request(
        comment=comment,
        post=post,
        comments=bool(data.get("subscribe_comments")),
        posts=bool(data.get("subscribe_posts")),
    )


def comments_notify_due(*, limit: int = 500) -> int:
    """The worker's round: tell whoever should hear of each comment written or approved since.

    A comment is marked by the very write that made or approved it, so a write rolled back
    tells nobody, and a POST costs no queued task. Each comment is claimed, and its emails
    written to the outbox, in one transaction: a failure leaves it marked for the next round,
    and `notify_comment` writes nothing twice (outbox keys are unique).
    """
    told = 0
    marked = Comment.objects.filter(notice_due=True).order_by("pk")
    for pk in list(marked.values_list("pk", flat=True)[:limit]):
        try:
            with transaction.atomic():
                if Comment.objects.filter(pk=pk, notice_due=True).update(notice_due=False):
                    notify_comment(comment_id=pk)
                    told += 1
        except Exception:  # one comment must not hold up the others
            logger.exception("Telling of comment %s failed; trying again next round.", pk)
    return told


def moderators(post: Post) -> list[Any]:
    """Who moderates: everyone who may change comments, and the post's own authors."""
    User = get_user_model()
    can = (
        Q(is_superuser=True)
        | Q(groups__permissions__codename="change_comment")
        | Q(user_permissions__codename="change_comment")
    )
    people = list(
        User.objects.filter(can, is_active=True)
        .exclude(email="")
        .select_related("profile")  # the language each is written to in
        .distinct()
    )
    for author in post.authors.all():
        if author.email and author not in people:
            people.append(author)
    return people


def _notify_moderators(comment: Comment) -> None:
    email_id = moderation_email_id()  # the email's three links are used up together
    context = {
        **_comment_context(comment),
        "approve_url": moderation_link(comment, "approve", email_id=email_id),
        "spam_url": moderation_link(comment, "spam", email_id=email_id),
        "trash_url": moderation_link(comment, "trash", email_id=email_id),
        "queue_url": absolute(reverse("moderation:queue")) + "?status=pending",
        "waiting": Comment.objects.filter(status=Comment.Status.PENDING).count(),
    }
    written: dict[str, tuple[str, str, str]] = {}  # each language's email, written once
    for person in moderators(comment.post):
        language = email_language(user=person)
        if language not in written:
            with in_language(language):
                text, html = _render("held_comment", context)
                subject = _("[%(site)s] Please moderate: “%(title)s”") % {
                    "site": _site(),
                    "title": comment.post.title,
                }
            written[language] = (subject, text, html)
        subject, text, html = written[language]
        email_queue(
            key=f"comment-{comment.pk}-held-{person.pk}", to=person.email,
            subject=subject, text=text, html=html, reason="moderation",
        )  # fmt: skip


# --- new posts ---------------------------------------------------------------------------

_LOCAL_LINK = re.compile(r'href="#')


def email_post_html(post: Post) -> tuple[str, str]:
    """The essay and its notes for email clients: links within the page point at the web page."""
    base = absolute(post.get_absolute_url())
    body = figures_for_email(_LOCAL_LINK.sub(f'href="{base}#', post.body_html))
    return (
        absolute_html(body, settings.SITE_URL),
        absolute_html(_LOCAL_LINK.sub(f'href="{base}#', post.footnotes_html), settings.SITE_URL),
    )


def notify_new_post(*, post_id: int, after_id: int = 0) -> int | None:
    """Queue the new-post email for one batch of subscribers; returns the last id, or None when done."""
    post = Post.objects.filter(pk=post_id, kind=Post.Kind.POST).first()
    if post is None or not post.is_public:
        return None
    batch = list(
        Subscription.objects.filter(
            kind=Subscription.Kind.POSTS, status=Subscription.Status.ACTIVE, pk__gt=after_id
        ).order_by("pk")[:FAN_OUT_BATCH]
    )
    if not batch:
        return None
    body, notes = email_post_html(post)
    authors = [link.author for link in post.postauthor_set.select_related("author__profile")]
    context: dict[str, Any] = {
        "post": post,
        "post_url": absolute(post.get_absolute_url()),
        "body_html": body,
        "footnotes_html": notes,
        "bibliography_html": _LOCAL_LINK.sub(
            f'href="{absolute(post.get_absolute_url())}#', post.bibliography_html
        ),
        "authors": authors,
        "author_names": ", ".join(author.display_name for author in authors),
    }
    html_template = "notifications/email/new_post.html"
    languages = email_languages(subscription.email for subscription in batch)
    texts: dict[str, str] = {}  # the text is the same for everyone reading one language
    for subscription in batch:
        address = manage_url(subscription.email)
        with in_language(languages[subscription.email.strip().lower()]) as language:
            if language not in texts:
                texts[language] = render_to_string(
                    "notifications/email/new_post.txt", {"site_name": _site(), **context}
                )
            html = render_to_string(
                html_template, {"site_name": _site(), **context, "manage_url": address}
            )
            manage = _("Your subscriptions: %(address)s") % {"address": address}
        email_queue(
            key=f"post-{post.pk}-to-{subscription.pk}", to=subscription.email, subject=post.title,
            text=texts[language] + f"\n\n{manage}\n", html=html,
            headers=_unsubscribe_headers(subscription), reason="new-post",
        )  # fmt: skip
    return batch[-1].pk
