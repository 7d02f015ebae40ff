"""The comments of a Broadsheet JSON export, written in bulk with their threads intact.

Bulk writes pass the signals by, so what they keep up to date is kept here: each comment's
thread (its top-level ancestor) and depth, and each post's count of approved comments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from broadsheet.core.markdown import render_comment_markdown
from broadsheet.core.sanitize import clean_comment_html
from broadsheet.discussion.models import Comment
from broadsheet.importers.json_export import COMMENT_FIELDS
from broadsheet.importers.json_records import IdMap, field_values
from broadsheet.importers.progress import ImportProblem, ImportReport
from broadsheet.importers.writing import checked_address


@dataclass
class _Waiting:
    index: int
    source_id: int
    parent: int  # the file's id of the comment it answers; 0 for none
    values: dict[str, Any]


@dataclass
class CommentRestorer:
    ids: IdMap
    report: ImportReport
    keep_ids: bool  # the table was empty: the file's ids are kept (comment permalinks too)
    waiting: dict[int, list[_Waiting]] = field(default_factory=dict)
    touched_posts: set[int] = field(default_factory=set)

    def add(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        rows = []
        for index, row in batch:
            where = f"comments[{index}]"
            values = field_values(Comment, COMMENT_FIELDS, row, where)
            if "mention" in row:  # a Webmention's type; absent from older files
                values.update(field_values(Comment, ["mention"], row, where))
            values["author_url"] = checked_address(
                values["author_url"], report=self.report, where=where, what='"author_url"'
            )
            values["post_id"] = self.ids.required("post", values["post_id"], where, "post")
            if values["user_id"] is not None:
                values["user_id"] = self.ids.required(
                    "account", values["user_id"], where, "account"
                )
            rows.append((index, values.pop("id"), values))
        known = self.ids.lookup("comment", [source_id for _, source_id, _ in rows])
        new = []
        for index, source_id, values in rows:
            if source_id in known:
                self.report.add("comments", new=False)
            else:
                new.append(_Waiting(index, source_id, values.pop("parent_id") or 0, values))
        self._write(new)

    def finish(self) -> None:
        for parent, comments in self.waiting.items():
            raise ImportProblem(
                f"comments[{comments[0].index}]: parent {parent} is not in the file."
            )

    def _write(self, comments: list[_Waiting]) -> None:
        """Each round writes the comments whose parent is written; a reply whose parent comes
        later in the file waits for it."""
        while comments:
            parents = self.ids.lookup("comment", [c.parent for c in comments if c.parent])
            rows = {
                row["pk"]: row
                for row in Comment.objects.filter(pk__in=set(parents.values())).values(
                    "pk", "thread_id", "depth", "post_id"
                )
            }
            now = []
            for comment in comments:
                if comment.parent and comment.parent not in parents:
                    self.waiting.setdefault(comment.parent, []).append(comment)
                    continue
                parent = rows[parents[comment.parent]] if comment.parent else None
                if parent is not None and parent["post_id"] != comment.values["post_id"]:
                    raise ImportProblem(
                        f"comments[{comment.index}]: its parent {comment.parent} is a comment "
                        "on another post."
                    )
                now.append((comment, self._row(comment, parent)))
            if not now:
                return
            # A top-level row's thread is set by the database as it is written (0134).
            created = Comment.objects.bulk_create([row for _, row in now])
            written = [(c.source_id, row.pk) for (c, _), row in zip(now, created, strict=True)]
            self.ids.remember("comment", written)
            self.touched_posts.update(row.post_id for row in created)
            for _ in created:
                self.report.add("comments")
            comments = [w for source_id, _ in written for w in self.waiting.pop(source_id, [])]

    def _row(self, comment: _Waiting, parent: Mapping[str, Any] | None) -> Comment:
        values = comment.values
        # The file's HTML is sanitised again, as anything stored as HTML is.
        body_html = clean_comment_html(values.pop("body_html"))
        if not body_html and values["body"] and not values["removed"]:
            body_html = render_comment_markdown(values["body"])
        return Comment(
            **values,
            **({"pk": comment.source_id} if self.keep_ids else {}),
            body_html=body_html,
            parent_id=parent["pk"] if parent else None,
            thread_id=parent["thread_id"] if parent else None,
            depth=parent["depth"] + 1 if parent else 0,
        )


def comment_counts_update(*, post_ids: set[int]) -> None:
    """Post.comment_count: approved comments that were not deleted, as moderation counts them;
    and the stored cards of the comments written (bulk writes skip save())."""
    from broadsheet.importers.writing import recount_comments

    recount_comments(sorted(post_ids))
