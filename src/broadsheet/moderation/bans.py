"""Bans with an expiry (decision 0092): a moderator bars an account, an email address or an
address range from commenting, for a period or for good, optionally hiding their earlier
comments. The discussion asks `ban_for` before it stores a comment."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from broadsheet.core.effects import action
from broadsheet.core.sql import column, select_models
from broadsheet.discussion.models import Comment
from broadsheet.moderation.log import Reason
from broadsheet.moderation.models import Ban


def _in_force(now: datetime) -> Q:
    return Q(lifted_at__isnull=True) & (Q(until__isnull=True) | Q(until__gt=now))


def ban_for(*, user_id: int | None, email: str, ip_address: str | None) -> Ban | None:
    """The ban in force on this writer, if any: one query (bans are few), written out
    (decision 0019: it runs for every comment posted), with the rule of `_in_force`."""
    lifted, until = column(Ban, "lifted_at"), column(Ban, "until")
    bans = select_models(
        Ban, f"WHERE {lifted} IS NULL AND ({until} IS NULL OR {until} > %s)", [timezone.now()]
    )
    if not bans:
        return None
    try:
        address = ipaddress.ip_address(ip_address) if ip_address else None
    except ValueError:
        address = None
    for ban in bans:
        if ban.kind == Ban.Kind.ACCOUNT and user_id is not None and ban.user_id == user_id:
            return ban
        if ban.kind == Ban.Kind.EMAIL and email and ban.value.lower() == email.strip().lower():
            return ban
        if ban.kind == Ban.Kind.NETWORK and address is not None and _within(address, ban.value):
            return ban
    return None


def _within(address: Any, network: str) -> bool:
    try:
        return bool(address in ipaddress.ip_network(network, strict=False))
    except ValueError:
        return False


def barred_message(*, user_id: int | None, email: str, ip_address: str | None) -> str | None:
    """What to tell a writer barred by a ban in force (registered with discussion.gate)."""
    ban = ban_for(user_id=user_id, email=email, ip_address=ip_address)
    return refusal(ban) if ban is not None else None


def refusal(ban: Ban) -> str:
    if ban.until is None:
        return _(
            "Sorry, you cannot comment here at the moment: a moderator has paused comments from "
            "you. Your comment is below, so you can keep a copy."
        )
    return _(
        "Sorry, you cannot comment here at the moment: a moderator has paused comments from you "
        "until %(day)s. Your comment is below, so you can keep a copy."
    ) % {"day": date_format(timezone.localtime(ban.until), "DATE_FORMAT")}


def _their_comments(ban: Ban) -> Any:
    approved = Comment.objects.filter(status=Comment.Status.APPROVED, removed=False)
    if ban.kind == Ban.Kind.ACCOUNT:
        return approved.filter(user_id=ban.user_id or 0)
    if ban.kind == Ban.Kind.EMAIL:
        return approved.filter(author_email__iexact=ban.value)
    network = ipaddress.ip_network(ban.value, strict=False)
    return [
        c for c in approved.filter(ip_address__isnull=False)
        .only("pk", "ip_address", "status", "removed", "post_id")
        if ipaddress.ip_address(str(c.ip_address)) in network
    ]  # fmt: skip


@action
def ban_create(
    *,
    kind: str,
    value: str = "",
    user: Any = None,
    until: datetime | None = None,
    reason: str = "",
    hide_comments: bool = False,
    by: Any = None,
) -> Ban:
    """Bar a writer; with `hide_comments`, their published comments go back to the queue
    (held, logged in the public log when it is on, as a moderator's Unapprove)."""
    from broadsheet.moderation.services import comment_unapprove

    ban = Ban.objects.create(
        kind=kind, value=value.strip(), user=user, until=until, reason=reason[:200],
        hide_comments=hide_comments, created_by=by if by is not None and by.pk else None,
    )  # fmt: skip
    if hide_comments:
        for comment in _their_comments(ban):
            comment_unapprove(comment=comment, reason=Reason(choice="other", text=reason[:200],
                              moderator_id=ban.created_by_id) if reason else None)  # fmt: skip
    return ban


@action
def ban_lift(*, ban: Ban, by: Any = None) -> Ban:
    """End a ban now (comments it hid stay in the queue for a moderator to approve)."""
    if ban.lifted_at is None:
        ban.lifted_at = timezone.now()
        ban.lifted_by = by if by is not None and by.pk else None
        ban.save(update_fields=["lifted_at", "lifted_by"])
    return ban
