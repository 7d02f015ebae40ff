"""The index follows every write, whichever path made it: services, the admin, the worker.

Indexing runs after the commit, so a rolled-back edit never reaches search, and reads the
post as committed (tags and references set after the post row included).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Category, Post, PostAuthor, Reference, Tag
from broadsheet.search import services


def _post_later(post_id: int | None) -> None:
    """Index the post once after the commit, however many of its parts the transaction
    changed (a post save sets its row, authors, categories and tags: four signals)."""
    if not post_id:
        return
    connection = transaction.get_connection()
    pending: set[int] = connection.__dict__.setdefault("_search_pending_posts", set())
    # A rolled-back transaction drops its callbacks but not this set: only trust the set while
    # our callback is still queued (Django keeps them as (savepoint ids, callable, robust)).
    if not any(queued[1] is _index_pending for queued in connection.run_on_commit):
        pending.clear()
        pending.add(post_id)
        transaction.on_commit(_index_pending)  # outside a transaction: runs now
    else:
        pending.add(post_id)


def _index_pending() -> None:
    pending: set[int] = transaction.get_connection().__dict__.get("_search_pending_posts", set())
    while pending:
        services.search_index_post(post_id=pending.pop())


def _post_changed(sender: Any, instance: Post, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _post_later(instance.pk)


def _part_changed(sender: Any, instance: Reference | PostAuthor, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _post_later(instance.post_id)


def _labels_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if isinstance(instance, Post):
        if action in ("post_add", "post_remove", "post_clear"):
            _post_later(instance.pk)
    elif action in ("post_add", "post_remove"):
        for post_id in kwargs.get("pk_set") or ():
            _post_later(post_id)
    elif action == "pre_clear":
        # A label losing all its posts: after the clear there is no telling which they were.
        for post_id in instance.posts.values_list("pk", flat=True):
            _post_later(post_id)


def _label_renamed(sender: Any, instance: Tag | Category, created: bool, **kwargs: Any) -> None:
    if created or kwargs.get("raw"):
        return
    for post_id in instance.posts.values_list("pk", flat=True):
        _post_later(post_id)


def _comment_changed(sender: Any, instance: Comment, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if kwargs.get("created") and (instance.status != Comment.Status.APPROVED or instance.removed):
        return  # a new comment that is not shown has no row to write or to remove
    transaction.on_commit(partial(services.search_index_comment, comment_id=instance.pk))


post_save.connect(_post_changed, sender=Post, dispatch_uid="search-post")
for _part in (Reference, PostAuthor):
    post_save.connect(_part_changed, sender=_part, dispatch_uid=f"search-{_part.__name__}")
    post_delete.connect(_part_changed, sender=_part, dispatch_uid=f"search-del-{_part.__name__}")
for _through in (Post.tags.through, Post.categories.through):
    m2m_changed.connect(
        _labels_changed, sender=_through, dispatch_uid=f"search-{_through.__name__}"
    )
for _label in (Tag, Category):
    post_save.connect(_label_renamed, sender=_label, dispatch_uid=f"search-{_label.__name__}")
post_save.connect(_comment_changed, sender=Comment, dispatch_uid="search-comment")
