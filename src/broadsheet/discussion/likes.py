"""Likes of comments and of essays: one per reader (discussion.readers), counted on the row
with atomic updates, so a race of likes at once counts each reader once and exactly."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.discussion.models import Comment, CommentLike, PostLike
from broadsheet.discussion.readers import Reader
from broadsheet.publishing.models import Post


class NotLikeable(Exception):
    """No such comment shown to readers (a forged id, a held or removed comment)."""


@action
def comment_like(*, comment_id: int, reader: Reader) -> int:
    """The reader likes the comment; their second like changes nothing. Returns the count.
    Only the post's page changes (the count is read with its comments, not in the card)."""
    found = (
        Comment.objects.filter(
            pk=comment_id,
            status=Comment.Status.APPROVED,
            removed=False,
            post__in=Post.objects.public(),
        )
        .values_list("post_id", flat=True)
        .first()
    )
    if found is None:
        raise NotLikeable
    try:
        with transaction.atomic():  # a savepoint: the repeated like's refusal undoes only it
            CommentLike.objects.create(comment_id=comment_id, reader=reader.key,
                                       address=reader.address)  # fmt: skip
    except IntegrityError:
        return _count(comment_id)
    Comment.objects.filter(pk=comment_id).update(like_count=F("like_count") + 1)
    effects.pages(posts=[found])
    return _count(comment_id)


def _count(comment_id: int) -> int:
    return int(
        Comment.objects.filter(pk=comment_id).values_list("like_count", flat=True).first() or 0
    )


def post_like_count(post_id: int) -> int:
    return PostLike.objects.filter(post_id=post_id).count()


@action
def post_like(*, post_id: int, reader: Reader) -> int:
    """The reader likes the essay itself (DiscussionSettings.post_likes)."""
    try:
        with transaction.atomic():
            PostLike.objects.create(post_id=post_id, reader=reader.key, address=reader.address)
    except IntegrityError:
        return post_like_count(post_id)
    effects.pages(posts=[post_id])
    return post_like_count(post_id)
