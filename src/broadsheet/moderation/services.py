"""Moderators' writes: status changes with undo, edits, and deletion that keeps replies.

Every change keeps the post's approved-comment count right with atomic updates (the database
adds: `core.sql.add_to`), and "spam" / "not spam" decisions teach the spam filter.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from broadsheet.core.effects import action
from broadsheet.core.markdown import render_comment_markdown
from broadsheet.core.sanitize import without_nul
from broadsheet.core.sql import add_to
from broadsheet.discussion.effects import comment_changed
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.removal import comment_remove, keep_earlier_text
from broadsheet.moderation.log import Reason, removal_forget, removal_logged, removal_record
from broadsheet.moderation.models import Report
from broadsheet.moderation.spam import comment_tokens, spam_train, spam_untrain
from broadsheet.publishing.models import Post

Status = Comment.Status
ACTIONS = ("approve", "unapprove", "spam", "not_spam", "trash", "restore", "delete")
LOGGED_ACTIONS = ("unapprove", "spam", "trash")  # a reason is picked for these


def _counted(status: str, comment: Comment) -> bool:
    return comment.counts_on_post(status)


def _tokens(comment: Comment) -> frozenset[str]:
    return comment_tokens(
        body=comment.body,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
    )


def _set_status(*, comment: Comment, status: str, reason: Reason | None = None) -> Comment:
    """Move a comment to `status`, remembering where it came from for undo. `reason`: the
    decision is one the public log records (hold, spam, trash)."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    old = locked.status
    if old == status:
        return locked
    was_counted = _counted(old, locked)
    locked.previous_status = old
    locked.status = status
    locked.status_changed_at = timezone.now()
    if status == Status.SPAM:
        spam_train(tokens=_tokens(locked), is_spam=True)
        locked.moderation_reason = "Marked as spam by a moderator."
    elif old == Status.SPAM:
        # "Not spam": what was learnt from this comment is reversed, and it counts as good.
        if locked.moderation_reason == "Marked as spam by a moderator.":
            spam_untrain(tokens=_tokens(locked), is_spam=True)
        spam_train(tokens=_tokens(locked), is_spam=False)
        locked.moderation_reason = ""
    # Approved at last: the post's authors and the thread's followers are told by the worker.
    if status == Status.APPROVED and old in (Status.PENDING, Status.SPAM):
        locked.notice_due = True
    locked.save(
        update_fields=[
            "status", "previous_status", "status_changed_at", "moderation_reason", "notice_due",
        ]
    )  # fmt: skip
    delta = int(_counted(status, locked)) - int(was_counted)
    if delta:
        add_to(Post, locked.post_id, "comment_count", delta)
    shown = Status.APPROVED in (old, status)
    if status == Status.APPROVED:
        removal_forget(comment=locked)  # approved again: its public entry goes
    elif reason is not None:
        # A held comment trashed keeps its place in the public log, with the new reason.
        shown = removal_record(comment=locked, was=old, reason=reason) or shown
    comment_changed(comment_id=locked.pk, post_id=locked.post_id, shown=shown)
    return locked


@action
def comment_approve(*, comment: Comment) -> Comment:
    # Readers' reports are answered: three more would be needed to hold it again.
    Report.objects.filter(comment_id=comment.pk).delete()
    return _set_status(comment=comment, status=Status.APPROVED)


@action
def comment_unapprove(*, comment: Comment, reason: Reason | None = None) -> Comment:
    return _set_status(comment=comment, status=Status.PENDING, reason=reason or Reason())


@action
def comment_spam(*, comment: Comment, reason: Reason | None = None) -> Comment:
    return _set_status(comment=comment, status=Status.SPAM, reason=reason or Reason())


@action
def comment_not_spam(*, comment: Comment) -> Comment:
    target = (
        comment.previous_status
        if comment.previous_status not in ("", Status.SPAM)
        else Status.PENDING
    )
    return _set_status(comment=comment, status=target)


@action
def comment_trash(*, comment: Comment, reason: Reason | None = None) -> Comment:
    return _set_status(comment=comment, status=Status.TRASH, reason=reason or Reason())


@action
def comment_restore(*, comment: Comment) -> Comment:
    target = (
        comment.previous_status
        if comment.previous_status not in ("", Status.TRASH)
        else Status.PENDING
    )
    return _set_status(comment=comment, status=target)


@action
def comment_delete(*, comment: Comment) -> Comment | None:
    """Delete for good. With replies, a tombstone stays: "This comment was deleted."; a
    logged removal loses its name (and its notice in the thread)."""
    return comment_remove(comment=comment, shown=removal_logged(comment=comment))


@action
def comment_edit(
    *,
    comment: Comment,
    body: str,
    author_name: str,
    author_email: str,
    author_url: str,
    editor_id: int | None = None,
) -> Comment:
    """A moderator's edit, at any time; the earlier text is kept when the words change."""
    body = without_nul(body).replace("\r\n", "\n").strip()
    if body != comment.body:
        keep_earlier_text(comment=comment, editor_id=editor_id)
    comment.body = body
    comment.body_html = render_comment_markdown(comment.body)
    comment.author_name, comment.author_email, comment.author_url = (
        author_name,
        author_email,
        author_url,
    )
    comment.modified_at = timezone.now()
    comment.save(
        update_fields=[
            "body",
            "body_html",
            "author_name",
            "author_email",
            "author_url",
            "modified_at",
        ]
    )
    comment_changed(
        comment_id=comment.pk, post_id=comment.post_id, shown=comment.status == Status.APPROVED
    )
    return comment


def comment_apply(*, comment: Comment, action: str, reason: Reason | None = None) -> Comment | None:
    handlers: dict[str, Any] = {
        "approve": comment_approve,
        "unapprove": comment_unapprove,
        "spam": comment_spam,
        "not_spam": comment_not_spam,
        "trash": comment_trash,
        "restore": comment_restore,
        "delete": comment_delete,
    }
    # Only the decisions the public log records take a reason.
    given = {"reason": reason} if reason is not None and action in LOGGED_ACTIONS else {}
    result: Comment | None = handlers[action](comment=comment, **given)
    return result


@action
def comments_clean(*, now: Any = None) -> dict[str, int]:
    """Empty trash and spam older than the setting, and anonymise IPs past their window."""
    settings = DiscussionSettings.current()
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.empty_trash_days)
    emptied = 0
    for comment in Comment.objects.filter(
        status__in=[Status.TRASH, Status.SPAM], status_changed_at__lt=cutoff
    ):
        comment_delete(comment=comment)
        emptied += 1
    anonymised = 0
    ip_cutoff = now - timedelta(days=settings.ip_retention_days)
    for pk, ip in Comment.objects.filter(
        created_at__lt=ip_cutoff, ip_address__isnull=False
    ).values_list("pk", "ip_address"):
        masked = anonymise_ip(str(ip))
        if masked != ip:
            Comment.objects.filter(pk=pk).update(ip_address=masked)
            anonymised += 1
    return {"emptied": emptied, "anonymised": anonymised}


def anonymise_ip(ip: str) -> str:
    """WordPress's wp_privacy_anonymize_ip: IPv4 last octet zeroed, IPv6 last 80 bits zeroed."""
    import ipaddress

    address = ipaddress.ip_address(ip)
    if address.version == 4:
        return str(ipaddress.ip_network(f"{ip}/24", strict=False).network_address)
    return str(ipaddress.ip_network(f"{ip}/48", strict=False).network_address)
