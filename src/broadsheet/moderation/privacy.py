"""An account's likes and reports in the personal-data export and erasure (accounts.privacy,
which sits below: registered in ModerationConfig.ready).

A like or report knows its reader as "u:<account id>" (discussion.readers); a guest's are keyed
hashes of a cookie's token and of their address, which no email address leads back to, so a
guest has none to export. Erasure keeps the counts (a like given stays given, a report stays
counted towards holding a comment) and drops who gave them: the reader becomes an anonymous
one of its own, the report's words go.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings

from broadsheet.accounts.privacy import PersonalDataKeeper, personal_data_register
from broadsheet.discussion.models import CommentLike, PostLike
from broadsheet.moderation.models import Report


def _key(user: Any) -> str | None:
    return f"u:{user.pk}" if user is not None and user.pk else None


def _export(addresses: list[str], user: Any) -> list[dict[str, Any]]:
    key = _key(user)
    if key is None:
        return []
    site = settings.SITE_URL
    likes = CommentLike.objects.filter(reader=key).select_related("comment__post")
    essays = PostLike.objects.filter(reader=key).select_related("post")
    reports = Report.objects.filter(reader=key).select_related("comment__post")
    return [
        *(
            {"kind": "comment like", "at": like.created_at.isoformat(),
             "comment": f"{site}{like.comment.post.get_absolute_url()}#comment-{like.comment_id}"}
            for like in likes.order_by("created_at", "pk")
        ),
        *(
            {"kind": "essay like", "at": like.created_at.isoformat(),
             "essay": f"{site}{like.post.get_absolute_url()}"}
            for like in essays.order_by("created_at", "pk")
        ),
        *(
            {"kind": "report", "at": report.created_at.isoformat(), "reason": report.reason,
             "text": report.text,
             "comment": f"{site}{report.comment.post.get_absolute_url()}#comment-{report.comment_id}"}
            for report in reports.order_by("created_at", "pk")
        ),
    ]  # fmt: skip


def _erase(addresses: list[str], user: Any) -> int:
    """Each row gets a reader of its own (so the unique pairs still hold) that names no one."""
    key = _key(user)
    if key is None:
        return 0
    erased = 0
    for model in (CommentLike, PostLike, Report):
        for pk in list(model.objects.filter(reader=key).values_list("pk", flat=True)):
            fields: dict[str, Any] = {"reader": f"x:{secrets.token_hex(16)}", "address": ""}
            if model is Report:
                fields["text"] = ""
            erased += model.objects.filter(pk=pk).update(**fields)
    return erased


def register() -> None:
    personal_data_register("likes_and_reports", PersonalDataKeeper(export=_export, erase=_erase))
