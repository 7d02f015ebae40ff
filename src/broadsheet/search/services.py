"""Keep the search index in step with what readers may see.

A post or page is indexed while it is published or scheduled (found from its publication time
on); an approved comment while its post is. Everything else has no row, so a search can never
reveal a draft, a private post or a held comment. The database keeps the full-text part in step
with these rows (see models.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse

from broadsheet.core.sanitize import stored_html_text
from broadsheet.core.sql import insert_row, select_one
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from broadsheet.publishing.selectors import AUTHOR_LINKS
from broadsheet.search.dictionaries import primary
from broadsheet.search.models import SearchDocument
from broadsheet.search.text import indexed

# PostgreSQL refuses a tsvector over 1 MB; the opening 200,000 characters of an essay are
# plenty to find it by.
MAX_BODY_CHARS = 200_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INDEXED_STATUSES = (Post.Status.PUBLISHED, Post.Status.SCHEDULED)


def plain_text(markup: str, limit: int = MAX_BODY_CHARS) -> str:
    """Readable text from stored, sanitised HTML, fit for the index."""
    return tidy(stored_html_text(markup), limit)


def tidy(text: str, limit: int = MAX_BODY_CHARS) -> str:
    """Plain text with nothing that could pass for a highlight mark, spaces collapsed, as
    the engines index it in any language (search.text)."""
    return indexed(" ".join(_CONTROL.sub(" ", text).split()))[:limit]


def _indexable(post: Post) -> bool:
    # A thread of a page elsewhere is never listed, so never found here either.
    return (
        post.status in _INDEXED_STATUSES
        and post.published_at is not None
        and post.kind != Post.Kind.THREAD
    )


def _post_document(post: Post) -> SearchDocument:
    authors = [link.author for link in post.author_links]  # type: ignore[attr-defined]
    extra = [
        *(t.name for t in post.tags.all()),
        *(c.name for c in post.categories.all()),
        *(plain_text(r.html) for r in post.references.all()),
        *(a.display_name for a in authors),
    ]
    assert post.published_at is not None
    return SearchDocument(
        post=post,
        kind=SearchDocument.Kind.PAGE if post.is_page else SearchDocument.Kind.POST,
        title=tidy(post.title),
        extra=tidy(" · ".join(extra)),
        # A written excerpt is searched too; the automatic one repeats the opening paragraph.
        body=plain_text(
            f"{post.excerpt_html if post.excerpt.strip() else ''}"
            f" {post.body_html} {post.footnotes_html}"
        ),
        heading=post.title[:300],
        language=primary(post.language),
        byline=", ".join(a.display_name for a in authors)[:300],
        url=post.get_absolute_url(),
        date=post.published_at,
        visible_from=post.published_at,
    )


@cache
def _comment_url_pattern() -> str:
    # reverse() once: indexing a large discussion would otherwise spend its time resolving.
    return reverse("discussion:permalink", args=[999_999_999]).replace("999999999", "{}")


def _comment_url(pk: int) -> str:
    return _comment_url_pattern().format(pk)


def _comment_document(comment: Comment, post: Post) -> SearchDocument:
    assert post.published_at is not None
    name = comment.display_name
    return SearchDocument(
        post=post,
        comment=comment,
        kind=SearchDocument.Kind.COMMENT,
        title="",
        extra=tidy(name),
        body=plain_text(comment.body_html),
        heading=post.title[:300],
        language=primary(post.language),
        byline=name[:300],
        url=_comment_url(comment.pk),
        date=comment.created_at,
        visible_from=post.published_at,
    )


def _posts(ids: Iterable[int]) -> Iterator[Post]:
    return (
        Post.objects.filter(pk__in=list(ids))
        .prefetch_related(AUTHOR_LINKS, "tags", "categories", "references")
        .iterator(chunk_size=200)
    )


_COMMENT_FIELDS = (
    "pk",
    "post_id",
    "body_html",
    "created_at",
    "author_name",
    "removed",
    "user__username",
    "user__first_name",
    "user__last_name",
    "user__profile__display_name",
)


def _indexable_comments(post: Post) -> Any:
    return (
        Comment.objects.filter(post=post, status=Comment.Status.APPROVED, removed=False)
        .select_related("user__profile")
        .only(*_COMMENT_FIELDS)
        .order_by("pk")
    )


@transaction.atomic
def search_index_post(*, post_id: int) -> None:
    """Index a post or page as it now is, with its approved comments; or drop it from search."""
    post = next(_posts([post_id]), None)
    if post is None or not _indexable(post):
        SearchDocument.objects.filter(post_id=post_id).delete()
        return
    document = _post_document(post)
    existing = SearchDocument.objects.filter(post=post, comment__isnull=True).first()
    if existing is None:
        document.save()
        # Newly searchable (published, or back from draft, which removed every row of the
        # post): its discussion is too.
        if post.comment_count:
            _index_comments_again(post)
        return
    document.pk = existing.pk
    document.save()
    # The comments' rows carry the post's title and publication time; rewriting them costs a
    # full-text update each, so only when those changed.
    SearchDocument.objects.filter(post=post, comment__isnull=False).filter(
        ~Q(heading=document.heading) | ~Q(visible_from=document.visible_from)
    ).update(heading=document.heading, visible_from=document.visible_from)


# What a comment's row is made of, its post's included: read in one narrow query (a comment
# is indexed in the request that publishes it, where building a wide query cost more than
# running it).
_INDEXED_COMMENT_FIELDS = (
    *_COMMENT_FIELDS,
    "status",
    *(f"post__{name}" for name in ("status", "published_at", "kind", "title", "language")),
)


def _indexed_comment(comment_id: int) -> Comment | None:
    """The comment with what its row is made of. Written out (decision 0019): it runs after
    every comment published, and the ORM took longer to build its join than SQLite to answer.
    An account's name comes through the ORM (its profile), a guest's is in the row."""
    comment = select_one(Comment, comment_id, only=_ROW_COMMENT_FIELDS)
    if comment is None:
        return None
    if comment.user_id is not None:
        return (
            Comment.objects.select_related("post", "user__profile")
            .only(*_INDEXED_COMMENT_FIELDS)
            .filter(pk=comment_id)
            .first()
        )
    post = select_one(Post, comment.post_id, only=_ROW_POST_FIELDS)
    if post is None:
        return None
    comment.post = post
    return comment


_ROW_COMMENT_FIELDS = (
    "post_id", "status", "user_id", "author_name", "body_html", "created_at", "removed",
)  # fmt: skip
_ROW_POST_FIELDS = ("status", "published_at", "kind", "title", "language")


@transaction.atomic(savepoint=False)
def search_index_comment(*, comment_id: int) -> None:
    """Index an approved comment on a searchable post; drop any other from search. Inside
    the comment's transaction (search.effects) it takes no savepoint of its own: a failure
    fails the write."""
    found = _indexed_comment(comment_id)
    indexable = (
        found is not None
        and found.status == Comment.Status.APPROVED
        and not found.removed
        and _indexable(found.post)
    )
    if not indexable:
        SearchDocument.objects.filter(comment_id=comment_id).delete()
        return
    assert found is not None
    # Written out (decision 0019): one statement writes it, or writes it again when the
    # comment was indexed before (edited).
    insert_row(_comment_document(found, found.post), update_on="comment")


def search_rename_person(*, user_id: int, name: str) -> int:
    """An account holder's shown name changed: the rows of their comments carry it."""
    return SearchDocument.objects.filter(comment__user_id=user_id).update(
        extra=tidy(name), byline=name[:300]
    )


@transaction.atomic
def search_index_post_comments(*, post_id: int) -> None:
    """Index a post's approved comments again (after comments were written in bulk)."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None or not _indexable(post):
        SearchDocument.objects.filter(post_id=post_id, comment__isnull=False).delete()
        return
    _index_comments_again(post)


def _index_comments_again(post: Post) -> None:
    SearchDocument.objects.filter(post=post, comment__isnull=False).delete()
    SearchDocument.objects.bulk_create(
        (_comment_document(c, post) for c in _indexable_comments(post).iterator()),
        batch_size=500,
    )


def search_index_rebuild(*, batch_size: int = 500) -> int:
    """Build the whole index again from the posts and comments; returns the rows written."""
    written = 0
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        post_ids = (
            Post.objects.filter(status__in=_INDEXED_STATUSES, published_at__isnull=False)
            .exclude(kind=Post.Kind.THREAD)
            .values_list("pk", flat=True)
        )
        by_id: dict[int, Post] = {}
        batch: list[SearchDocument] = []
        for post in _posts(post_ids):
            by_id[post.pk] = post
            batch.append(_post_document(post))
            if len(batch) >= batch_size:
                written += len(SearchDocument.objects.bulk_create(batch))
                batch = []
        comments = (
            Comment.objects.filter(
                post_id__in=list(by_id), status=Comment.Status.APPROVED, removed=False
            )
            .select_related("user__profile")
            .order_by("pk")
            .iterator(chunk_size=2000)
        )
        for comment in comments:
            batch.append(_comment_document(comment, by_id[comment.post_id]))
            if len(batch) >= batch_size:
                written += len(SearchDocument.objects.bulk_create(batch))
                batch = []
        written += len(SearchDocument.objects.bulk_create(batch))
    search_index_optimise()
    return written


def search_index_optimise() -> None:
    """Merge the index's segments after a bulk change (SQLite); PostgreSQL needs nothing."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchdocument")
