"""The search index: one row per searchable post, page or approved comment.

The full-text part lives beside this table and is kept in step by the database itself: on
SQLite an FTS5 table fed by triggers, on PostgreSQL a generated, weighted `tsvector` column
with GIN indexes (see migrations/0001_initial.py). A schema change to this table must recreate
those: Django's SQLite table rebuild drops triggers.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"
        COMMENT = "comment", "Comment"

    # No index of its own: search_document_post (post, kind) starts with it, and one index
    # fewer is one page fewer written for every comment published.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", db_index=False)
    comment = models.OneToOneField(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Shown, not searched.
    heading = models.CharField(max_length=300)
    byline = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=500)
    date = models.DateTimeField()
    # A scheduled post is indexed at once and found from its publication time on.
    visible_from = models.DateTimeField()
    # The post's primary language subtag ("de"): PostgreSQL stems the document in it
    # (search.dictionaries); "" for rows indexed before languages were kept (English).
    language = models.CharField(max_length=12, blank=True, default="")
    # Searched, in falling weight: title, then extra (tags, categories, references, names), body.
    # Declared last so the columns above are read without the long text (SQLite).
    title = models.TextField(blank=True)
    extra = models.TextField(blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(comment__isnull=True), name="search_one_per_post"
            )
        ]
        indexes = [models.Index(fields=["post", "kind"], name="search_document_post")]

    def __str__(self) -> str:
        return f"{self.kind} {self.heading}"
