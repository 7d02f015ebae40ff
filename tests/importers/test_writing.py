"""The shared comment writer: tombstones for comments deleted at the source, and counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from broadsheet.discussion.models import Comment
from broadsheet.importers.progress import ImportReport
from broadsheet.importers.writing import (
    CommentRecord,
    CommentWriter,
    Mapping,
    prune_tombstones,
    recount_comments,
)
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_deleted_comments_stay_as_tombstones_only_while_someone_answered_them() -> None:
    post = PostFactory()
    when = datetime(2020, 1, 1, tzinfo=UTC)

    def record(
        source_id: str, parent: str | None = None, *, removed: bool = False
    ) -> CommentRecord:
        return CommentRecord(
            source_id=source_id,
            post_id=post.pk,
            parent_source_id=parent,
            body=f"Text of {source_id}",
            created_at=when,
            removed=removed,
        )

    writer = CommentWriter(Mapping("test:site"), ImportReport(), dry_run=False)
    writer.add(
        [
            record("1", removed=True),  # answered: stays as "This comment was deleted."
            record("2", "1"),
            record("3", removed=True),  # answered only by another deleted comment: both go
            record("4", "3", removed=True),
            record("5", removed=True),  # nobody answered: goes
        ]
    )
    writer.finish()
    assert prune_tombstones([post.pk]) == 3
    recount_comments([post.pk])
    kept = Comment.objects.get(post=post, parent__isnull=True)
    assert (kept.removed, kept.body, kept.body_html, kept.status) == (True, "", "", "approved")
    assert Comment.objects.get(parent=kept).body == "Text of 2"
    post.refresh_from_db()
    assert post.comment_count == 1  # the tombstone is not counted
