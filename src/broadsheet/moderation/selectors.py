"""Reads for the moderation queue: a page of comments and the tab counts, each in a fixed
number of queries whatever the number of comments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from broadsheet.discussion.addresses import comment_addresses
from broadsheet.discussion.anchors import THREAD_UNUSED, WITH_ANCHORS, Quoted, quoted, responds_to
from broadsheet.discussion.models import Comment, CommentRevision, DiscussionSettings
from broadsheet.moderation.models import Report

Status = Comment.Status
StrOrPromise = str | Promise
QUEUE_PER_PAGE = 20

# The tabs, WordPress's order. "All" is approved plus pending: spam and trash are kept apart
# so that the usual view is the conversation, not the rubbish.
TABS: tuple[tuple[str, StrOrPromise], ...] = (
    ("all", pgettext_lazy("comments", "All")),
    (Status.PENDING, pgettext_lazy("comments", "Pending")),
    (Status.APPROVED, pgettext_lazy("comments", "Approved")),
    (Status.SPAM, pgettext_lazy("comments", "Spam")),
    (Status.TRASH, pgettext_lazy("comments", "Trash")),
)
_ALL = (Status.APPROVED, Status.PENDING)


@dataclass(frozen=True)
class Action:
    name: str  # one of moderation.services.ACTIONS
    label: StrOrPromise  # the button's text
    # The message after it, by how many comments: "Comment approved.", "3 comments approved."
    # (a lazy plural: `action.done % {"count": n}`).
    done: StrOrPromise
    shortcut: str = ""  # the keyboard shortcut that clicks this button (moderation.js)


# Translators: the message after a moderator's decision on one comment or on %(count)d of them.
# Languages whose singular form also covers other numbers (21 …) may use %(count)d in it.
_ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("approve", _("Approve"),
               ngettext_lazy("Comment approved.", "%(count)d comments approved.", "count"), "a"),
        Action("unapprove", _("Unapprove"),
               ngettext_lazy("Comment unapproved.", "%(count)d comments unapproved.", "count"),
               "u"),
        Action("spam", pgettext_lazy("moderation: a button", "Spam"),
               ngettext_lazy("Comment marked as spam.", "%(count)d comments marked as spam.",
                             "count"), "s"),
        Action("not_spam", _("Not spam"),
               ngettext_lazy("Comment restored from spam.",
                             "%(count)d comments restored from spam.", "count"), "z"),
        Action("trash", pgettext_lazy("moderation: a button", "Trash"),
               ngettext_lazy("Comment moved to the Trash.",
                             "%(count)d comments moved to the Trash.", "count"), "t"),
        Action("restore", _("Restore"),
               ngettext_lazy("Comment restored from the Trash.",
                             "%(count)d comments restored from the Trash.", "count"), "z"),
        Action("delete", _("Delete permanently"),
               ngettext_lazy("Comment deleted permanently.",
                             "%(count)d comments deleted permanently.", "count")),
    )
}  # fmt: skip

# The actions that make sense for each status. An action from any other status is refused:
# "restore" on an approved comment would send it back to wherever it was before, and a stale
# page (another moderator got there first) must not undo their decision.
ROW_ACTIONS: dict[str, tuple[str, ...]] = {
    Status.PENDING: ("approve", "spam", "trash"),
    Status.APPROVED: ("unapprove", "spam", "trash"),
    Status.SPAM: ("not_spam", "delete"),
    Status.TRASH: ("restore", "delete"),
}
_BULK_ACTIONS: dict[str, tuple[str, ...]] = {
    "all": ("approve", "unapprove", "spam", "trash"),
    **ROW_ACTIONS,
}

# An IP address or the start of one: digits, hex letters, dots and colons only.
_IP_PREFIX = re.compile(r"^[0-9a-fA-F.:]+$")


def action(name: str) -> Action | None:
    return _ACTIONS.get(name)


def action_allowed(*, status: str, name: str) -> bool:
    return name in ROW_ACTIONS.get(status, ())


def row_actions(status: str) -> list[Action]:
    return [_ACTIONS[name] for name in ROW_ACTIONS.get(status, ())]


def bulk_actions(*, status: str | None) -> list[Action]:
    return [_ACTIONS[name] for name in _BULK_ACTIONS[status or "all"]]


def queue_status(raw: str | None) -> str | None:
    """The tab asked for in `?status=`: None for All, or one of the comment statuses."""
    return raw if raw in Status.values else None


def _search(query: str) -> Q:
    match = (
        Q(body__icontains=query)
        | Q(author_name__icontains=query)
        | Q(author_email__icontains=query)
    )
    # Only something shaped like an address is compared with addresses: PostgreSQL's inet
    # column refuses other text, and "ca" would otherwise find every IPv6 address with "ca".
    if _IP_PREFIX.match(query) and any(c in query for c in ".:"):
        match |= Q(ip_address__startswith=query)
    return match


def _queue(*, status: str | None, query: str) -> QuerySet[Comment]:
    # Tombstones (deleted comments kept for their replies) are not for moderating any more.
    comments = Comment.objects.filter(removed=False)
    comments = comments.filter(status=status) if status else comments.filter(status__in=_ALL)
    if query:
        comments = comments.filter(_search(query))
    return (
        # With its public log entry and the passage it responds to, if any (joins, no query
        # per row).
        comments.select_related("post", "post__parent", "user", "removal_entry", *WITH_ANCHORS)
        # The queue shows each post's title and link only: its text stays in the database.
        .defer("post__body", "post__body_html", "post__footnotes_html", "post__toc", *THREAD_UNUSED)
        # Whether readers reported it and whether its words changed, in the same query: the
        # reasons and earlier texts are read only for a page that has some.
        .annotate(
            reported=Exists(Report.objects.filter(comment=OuterRef("pk"))),
            rewritten=Exists(CommentRevision.objects.filter(comment=OuterRef("pk"))),
        )
        .order_by("-created_at", "-id")
    )


def comment_queue(*, status: str | None, query: str, page: int) -> Page[Comment]:
    paginator = Paginator(_queue(status=status, query=query.strip()), QUEUE_PER_PAGE)
    # After a bulk action empties the last page, the page before is shown rather than a 404.
    return paginator.get_page(page)


def queue_counts() -> dict[str, int]:
    """Numbers for the tabs, in one query."""
    live = Comment.objects.filter(removed=False)
    counts = live.aggregate(
        all=Count("pk", filter=Q(status__in=_ALL)),
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        spam=Count("pk", filter=Q(status=Status.SPAM)),
        trash=Count("pk", filter=Q(status=Status.TRASH)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def queue_tabs() -> list[tuple[str, StrOrPromise, int]]:
    """(status, label, count) for each tab."""
    counts = queue_counts()
    return [(key, label, counts[key]) for key, label in TABS]


def comments_by_ids(ids: list[int]) -> QuerySet[Comment]:
    return Comment.objects.filter(pk__in=ids, removed=False).order_by("pk")


@dataclass(frozen=True)
class QueueRow:
    comment: Comment
    context_url: str
    actions: list[Action]
    can_reply: bool  # replies only go under comments that are, or will be, published
    quoted: Quoted | None  # the passage it responds to
    # Readers' reports: (reason, how many) and the words given with "Other"; earlier texts
    # (when each was replaced, the words), oldest first.
    reports: tuple[tuple[str, int], ...] = ()
    report_texts: tuple[str, ...] = ()
    earlier: tuple[tuple[Any, str], ...] = ()


def _reports(ids: list[int]) -> dict[int, tuple[dict[str, int], list[str]]]:
    found: dict[int, tuple[dict[str, int], list[str]]] = {}
    labels = dict(Report.Reason.choices)
    rows = Report.objects.filter(comment_id__in=ids).values_list("comment_id", "reason", "text")
    for comment_id, reason, text in rows.order_by("created_at"):
        counts, texts = found.setdefault(comment_id, ({}, []))
        label = str(labels.get(reason, reason))
        counts[label] = counts.get(label, 0) + 1
        if text:
            texts.append(text)
    return found


def _earlier(ids: list[int]) -> dict[int, list[tuple[Any, str]]]:
    found: dict[int, list[tuple[Any, str]]] = {}
    rows = CommentRevision.objects.filter(comment_id__in=ids).values_list(
        "comment_id", "replaced_at", "body"
    )
    for comment_id, when, body in rows:
        found.setdefault(comment_id, []).append((when, body))
    return found


def queue_rows(page: Page[Comment]) -> list[QueueRow]:
    # A held comment's address is where it will be once approved.
    addresses = comment_addresses(comments=page, settings=DiscussionSettings.current())
    reported = [c.pk for c in page if getattr(c, "reported", False)]
    rewritten = [c.pk for c in page if getattr(c, "rewritten", False)]
    reports = _reports(reported) if reported else {}
    earlier = _earlier(rewritten) if rewritten else {}
    return [
        QueueRow(
            comment=comment,
            context_url=addresses[comment.pk],
            actions=row_actions(comment.status),
            can_reply=comment.status in _ALL,
            quoted=quoted(responds_to(comment), comment.post.get_absolute_url()),
            reports=tuple(reports.get(comment.pk, ({}, []))[0].items()),
            report_texts=tuple(reports.get(comment.pk, ({}, []))[1]),
            earlier=tuple(earlier.get(comment.pk, [])),
        )
        for comment in page
    ]
