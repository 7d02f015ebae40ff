"""The comments of a WordPress export's items: each item's thread written with the post (or,
for an attachment, with the post it belongs to), their statuses, kinds and accounts.

WordPress keeps a thread within its item, so each item's comments are written and forgotten
together and memory does not grow with the file.
"""

from __future__ import annotations

import html

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from broadsheet.accounts.models import Profile, User
from broadsheet.core.sanitize import without_nul
from broadsheet.discussion.models import Comment
from broadsheet.importers.progress import ImportReport
from broadsheet.importers.writing import (
    CommentRecord,
    CommentWriter,
    Mapping,
    checked_address,
    recount_comments,
    reindex_posts,
)
from broadsheet.importers.wxr import Item, WxrComment, wordpress_utc
from broadsheet.publishing.models import Post

_COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
_COMMENT_KINDS = {
    "": Comment.Kind.COMMENT,
    "comment": Comment.Kind.COMMENT,
    "pingback": Comment.Kind.PINGBACK,
    "trackback": Comment.Kind.TRACKBACK,
    "webmention": Comment.Kind.WEBMENTION,
}


class ItemComments:
    """Writes each item's comments for one WordPress source; attachments' comments go to
    their post, waiting until the end when the post comes later in the file."""

    def __init__(self, *, mapping: Mapping, report: ImportReport) -> None:
        self.mapping = mapping
        self.report = report
        self.writer = CommentWriter(mapping, report, dry_run=False)
        self.touched: set[int] = set()  # earlier imports' posts with new comments
        self.waiting_attachments: list[Item] = []  # with comments, before their post
        self.items_seen: set[str] = set()  # WordPress ids of every item read

    def finish(self) -> None:
        for attachment in self.waiting_attachments:
            self.of_attachment(attachment, deferred=True)
        if self.touched:
            reindex_posts(self.touched)

    def of_attachment(self, item: Item, *, deferred: bool) -> None:
        """WordPress shows an attachment its own page, with comments; there are no such pages
        here, so they go under the post the attachment belongs to, which may come later in
        the file (then at the end), or are listed as skipped."""
        if not item.comments:
            return
        where = f"line {item.line}, attachment {item.post_id}"
        count = _comments(len(item.comments)) + (" was" if len(item.comments) == 1 else " were")
        if item.post_parent in ("", "0"):
            self.report.skip(
                where,
                f"its {count} left out: the attachment belongs to no post, and attachments "
                "have no pages of their own here",
            )
            return
        post_id = self.mapping.get("post", item.post_parent)
        if post_id is None and not deferred:
            self.waiting_attachments.append(item)
            return
        if post_id is None:
            why = (
                "was not imported (see above)"
                if item.post_parent in self.items_seen
                else ("is not in the file")
            )
            self.report.skip(
                where,
                f"its {count} left out: the post it belongs to (WordPress id "
                f"{item.post_parent}) {why}",
            )
            return
        written = self.writer.written
        self.write(item, post_id, existed=True)
        if self.writer.written > written:
            slug = Post.objects.filter(pk=post_id).values_list("slug", flat=True).first()
            self.report.warn(
                where,
                f"its {count} on the attachment's page, which is not kept here; now under the "
                f"post it belongs to ({slug})",
            )

    def write(self, item: Item, post_id: int, *, existed: bool) -> None:
        records = []
        for comment in item.comments:
            record = self._comment(comment, item, post_id)
            if record is not None:
                records.append(record)
        if not records:
            return
        before = self.writer.written
        self.writer.add(records)
        self.writer.finish()  # WordPress keeps a thread within its post
        self.mapping.forget("comment")
        self.writer.forget_seen()
        if self.writer.written > before:
            recount_comments([post_id])
            if existed:
                # A new post's comments are indexed with it after this item's commit; an
                # earlier import's post gets its new comments indexed at the end.
                self.touched.add(post_id)

    def _comment(self, comment: WxrComment, item: Item, post_id: int) -> CommentRecord | None:
        where = f"line {comment.line}, comment {comment.id}"
        kind = _COMMENT_KINDS.get(comment.type)
        if kind is None:
            reason = (
                "editorial notes are not part of the public discussion"
                if comment.type == "note"
                else f"comment type {comment.type!r} is not imported"
            )
            self.report.skip(where, reason)
            return None
        status = _COMMENT_STATUSES.get(comment.approved)
        if status is None:
            self.report.warn(where, f"status {comment.approved!r} is unknown; held for moderation")
            status = Comment.Status.PENDING
        created = wordpress_utc(comment.date_gmt, comment.date)
        if created is None:
            self.report.warn(where, "no readable date; the item's date is used")
            created = wordpress_utc(item.post_date_gmt, item.post_date) or timezone.now()
        if not comment.id:
            self.report.skip(where, "no wp:comment_id")
            return None
        return CommentRecord(
            source_id=comment.id,
            post_id=post_id,
            parent_source_id=comment.parent if comment.parent not in ("", "0") else None,
            body=comment.content,
            created_at=created,
            status=status,
            kind=kind,
            author_name=comment.author,
            author_email=comment.author_email,
            author_url=checked_address(
                comment.author_url, report=self.report, where=where, what="the author's website"
            ),
            ip_address=comment.author_ip or None,
            user_id=self._commenter(comment),
            where=where,
            # Broadsheet's own exports carry comments' Markdown source.
            markup="auto" if "_broadsheet_markdown" in item.meta else "wordpress",
            removed=comment.meta.get("_broadsheet_removed") == "1",
        )

    def _commenter(self, comment: WxrComment) -> int | None:
        """The account a comment belongs to. WordPress lists only authors in its export; a
        registered reader (comment_user_id) becomes a Subscriber account here with the name
        and email of their comments, unless an account here already has that email."""
        if comment.user_id in ("", "0"):
            return None
        known = self.mapping.get("author", comment.user_id)
        if known is not None:
            return known
        email = comment.author_email.strip()
        if not email or "@" not in email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                username=self._free_username(email.split("@", 1)[0]), email=email[:254]
            )
            Profile.objects.filter(user=user).update(
                display_name=html.unescape(without_nul(comment.author)).strip()[:150]
            )
            group = Group.objects.filter(name="Subscriber").first()
            if group is not None:
                user.groups.add(group)
            self.report.add("accounts")
        self.mapping.remember("author", comment.user_id, user.pk)
        return user.pk

    @staticmethod
    def _free_username(wanted: str) -> str:
        base = slugify(wanted)[:140] or "reader"
        name, n = base, 2
        while User.objects.filter(username=name).exists():
            name, n = f"{base}-{n}", n + 1
        return name


def _comments(count: int) -> str:
    return f"{count:,} comment" + ("" if count == 1 else "s")
