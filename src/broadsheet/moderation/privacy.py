"""A person's comments, and an account's likes and reports, in the personal-data export and
erasure (accounts.privacy, which sits below: registered in ModerationConfig.ready).

Comments are found by the account or by any of the person's addresses (any case). Erasure
does what WordPress's eraser does: the words stay, who wrote them and from where goes (the
IP address anonymised as `clean_comments` does); or, when the person asks and the site allows
it, the comments are deleted, a tombstone staying where replies hang below.

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
from django.db.models import Q, QuerySet

from broadsheet.accounts.privacy import PersonalDataKeeper, export_url, personal_data_register
from broadsheet.core import effects
from broadsheet.discussion.models import (
    Comment,
    CommentLike,
    DiscussionSettings,
    PostLike,
    same_email,
)
from broadsheet.discussion.rendering import refresh_card
from broadsheet.moderation.models import Report
from broadsheet.moderation.services import anonymise_ip, comment_delete


def _comments(addresses: list[str], user: Any) -> QuerySet[Comment]:
    """Comments written by the account or with one of the person's addresses (any case)."""
    condition = Q(user=user) if user is not None else Q()
    # An empty address would match every comment left without one: never match on it.
    for address in {a.strip() for a in addresses if a and a.strip()}:
        condition |= Q(same_email(address))
    if not condition:
        return Comment.objects.none()
    return Comment.objects.filter(condition)


def _comment_data(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "post": {"title": comment.post.title, "url": export_url(comment.post.get_absolute_url())},
        "status": comment.status,
        "date": comment.created_at.isoformat(),
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "ip_address": comment.ip_address,
        "user_agent": comment.user_agent,
        "body": comment.body,
        "permalink": export_url(comment.get_absolute_url()),
        "in_reply_to": comment.parent_id,
    }


def _export_comments(addresses: list[str], user: Any) -> list[dict[str, Any]]:
    # A page's address walks its parents; one level covers the usual site.
    found = _comments(addresses, user).select_related("post", "post__parent")
    return [_comment_data(c) for c in found.order_by("created_at", "pk")]


def _locked(addresses: list[str], user: Any) -> list[Comment]:
    return list(_comments(addresses, user).select_for_update().order_by("pk"))


_ANONYMISED_FIELDS = [
    "author_name",
    "author_email",
    "author_url",
    "user_agent",
    "user",
    "ip_address",
    # The stored card shows the name, link and avatar: built again from what is left.
    "card_html",
    "card_key",
]


def _anonymise_comments(addresses: list[str], user: Any) -> int:
    comments = _locked(addresses, user)
    discussion = DiscussionSettings.current()
    for comment in comments:
        comment.author_name = "Anonymous"
        comment.author_email = comment.author_url = comment.user_agent = ""
        comment.user = None
        comment.ip_address = anonymise_ip(str(comment.ip_address)) if comment.ip_address else None
        refresh_card(comment, discussion)
    Comment.objects.bulk_update(comments, _ANONYMISED_FIELDS, batch_size=500)
    # bulk_update sends no signal: what readers see of these comments is declared here (the
    # cards were built again above).
    effects.pages(posts={c.post_id for c in comments}, listings=True)
    effects.search(comments=[c.pk for c in comments])
    return len(comments)


def _remove_comments(addresses: list[str], user: Any) -> tuple[int, int]:
    removed = tombstoned = 0
    # Deepest first: a reply of the person's own goes before its parent, so the parent is then
    # deleted outright instead of being left as a tombstone with nothing under it.
    # comment_delete keeps the post's comment_count right, so nothing is counted here.
    for comment in sorted(_locked(addresses, user), key=lambda c: (-c.depth, -c.pk)):
        if comment_delete(comment=comment) is None:
            removed += 1
        else:
            tombstoned += 1
    return removed, tombstoned


def _comments_held(addresses: list[str]) -> bool:
    return _comments(addresses, None).exists()


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
    # The comments first: the export lists them before anything the other apps keep.
    comments = PersonalDataKeeper(
        export=_export_comments,
        erase=_anonymise_comments,
        remove=_remove_comments,
        held=_comments_held,
    )
    personal_data_register("comments", comments)
    personal_data_register("likes_and_reports", PersonalDataKeeper(export=_export, erase=_erase))
