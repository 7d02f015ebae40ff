"""Comments from a stream (a Disqus export, an Isso database) written a batch at a time.

Each batch is one transaction with its posts' comment counts, so an interruption leaves whole
batches that look right on the site. Search rows are rebuilt once per post at the end (per
batch, a post with many comments would be indexed again and again); a run that follows an
interrupted one finds the posts whose search rows fell behind and rebuilds those too.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from broadsheet.discussion.models import Comment
from broadsheet.importers.progress import ImportReport
from broadsheet.importers.writing import (
    CommentRecord,
    CommentWriter,
    Mapping,
    forget_listings,
    prune_tombstones,
    recount_comments,
    reindex_posts,
)
from broadsheet.search.models import SearchDocument


class CommentBatches:
    def __init__(self, *, source: str, report: ImportReport, dry_run: bool, size: int) -> None:
        mapping = Mapping(source)
        mapping.load("comment")
        self.writer = CommentWriter(mapping, report, dry_run=dry_run)
        self.dry_run = dry_run
        self.size = size
        self.batch: list[CommentRecord] = []
        self.posts: set[int] = set()  # every post the file has comments for
        self.written_to: set[int] = set()

    def add(self, record: CommentRecord) -> None:
        self.batch.append(record)
        self.posts.add(record.post_id)
        if len(self.batch) >= self.size:
            self.flush()

    def flush(self, *, last: bool = False) -> None:
        writer = self.writer
        with transaction.atomic():
            if self.batch:
                writer.add(self.batch)
            if last:
                writer.finish()
            touched, writer.touched_posts = writer.touched_posts, set()
            if touched and not self.dry_run:
                recount_comments(touched)
        self.written_to |= touched
        self.batch = []

    def finish(self) -> None:
        """Write what is left (replies whose parent never came, as top-level comments), then
        the search rows of the posts written to, or left behind by an interrupted run."""
        self.flush(last=True)
        if self.dry_run:
            return
        with transaction.atomic():
            if prune_tombstones(self.written_to):
                recount_comments(self.written_to)
            reindex_posts(self.written_to | _behind_in_search(self.posts - self.written_to))
            forget_listings()


def _behind_in_search(post_ids: set[int]) -> set[int]:
    """Posts whose approved comments outnumber their comments' search rows."""
    behind: set[int] = set()
    ids = sorted(post_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        approved = dict(
            Comment.objects.filter(post_id__in=chunk, status=Comment.Status.APPROVED, removed=False)
            .values_list("post_id")
            .annotate(n=Count("pk"))
        )
        indexed = dict(
            SearchDocument.objects.filter(post_id__in=chunk, comment__isnull=False)
            .values_list("post_id")
            .annotate(n=Count("pk"))
        )
        behind.update(p for p, n in approved.items() if indexed.get(p, 0) < n)
    return behind
