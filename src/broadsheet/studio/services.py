"""The studio's own writes: autosaves and review notes. Neither changes what a reader sees
(no effect to declare); a post itself is saved only by publishing.services.post_save."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from broadsheet.core.effects import action
from broadsheet.core.sanitize import without_nul
from broadsheet.publishing.models import Post
from broadsheet.studio.models import Autosave, ReviewNote


@action
def autosave_store(
    *, user: Any, post: Post | None, title: str, excerpt: str, body: str
) -> Autosave:
    """Keep what `user` has in the editor for `post` (None: a post not yet saved), replacing
    their previous autosave of it; one statement in the common case."""
    fields = {
        "title": without_nul(title)[:300],
        "excerpt": without_nul(excerpt),
        "body": without_nul(body),
        "saved_at": timezone.now(),
    }
    post_id = post.pk if post is not None else None
    mine = Autosave.objects.filter(user=user.pk, post=post_id)
    if not mine.update(**fields):
        mine_new = Autosave(user_id=user.pk, post_id=post_id, **fields)
        Autosave.objects.bulk_create(
            [mine_new],
            update_conflicts=post_id is not None,
            unique_fields=["post", "user"] if post_id is not None else None,
            update_fields=list(fields) if post_id is not None else None,
        )
        return mine_new
    return Autosave(user_id=user.pk, post_id=post_id, **fields)


@action
def autosave_discard(*, user: Any, post: Post) -> None:
    """A save stored the text: the writer's autosave of it (and of it while new) is done."""
    Autosave.objects.filter(Q(post=post.pk) | Q(post__isnull=True), user=user.pk).delete()


def autosave_newer(*, user: Any, post: Post) -> Autosave | None:
    """This writer's autosave of `post`, if it holds text the post does not."""
    saved = Autosave.objects.filter(user=user.pk, post=post.pk if post.pk else None).first()
    if saved is None:
        return None
    if post.pk and saved.saved_at <= post.modified_at:
        return None
    if (saved.title, saved.excerpt, saved.body) == (post.title, post.excerpt, post.body):
        return None
    return saved


@action
def review_note_add(*, post: Post, author: Any, body: str) -> ReviewNote:
    """A reviewer's private note on a post: its authors and the reviewers read it."""
    return ReviewNote.objects.create(post=post, author=author, body=without_nul(body).strip())
