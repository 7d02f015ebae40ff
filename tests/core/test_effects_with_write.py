"""`handles(kind, with_write=True)`: an effect done in the write's transaction, once the action
has made all its writes (a comment's search row, decision 0132)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from broadsheet.core import effects
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.services import Commenter, comment_submit
from broadsheet.publishing.models import Post
from broadsheet.search.models import SearchDocument
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Seen:
    """What a with_write handler was called with, and what it saw when it was."""

    def __init__(self) -> None:
        self.calls: list[tuple[set[Any], bool, list[str]]] = []

    def __call__(self, keys: set[Any]) -> None:
        titles = list(Post.objects.order_by("pk").values_list("title", flat=True))
        self.calls.append((keys, connection.in_atomic_block, titles))


@pytest.fixture
def post() -> Post:
    return PostFactory(title="Before")


@pytest.fixture
def seen(post: Post) -> Iterator[Seen]:
    """Registered once the post (and its author, whose profile the factory declares) exist."""
    handler = Seen()
    effects.handles(effects.PROFILES, with_write=True)(handler)
    try:
        yield handler
    finally:
        effects._with_write[effects.PROFILES].remove(handler)
        for name in ("post_retitle_declared_first", "post_retitle_outer"):
            effects.ACTIONS.pop(name, None)  # not left for the test that walks every action


def post_retitle_declared_first(*, post: Post, title: str, key: int) -> None:
    """An action, made when called (effects.action registers it; the fixture forgets it)."""

    @effects.action
    def post_retitle_declared_first(*, post: Post, title: str, key: int) -> None:
        effects.declare(effects.PROFILES, [key])  # declared before the write, as some actions do
        post.title = title
        post.save(update_fields=["title"])

    post_retitle_declared_first(post=post, title=title, key=key)


def test_it_runs_in_the_transaction_after_the_actions_writes_once_with_every_key(
    post: Post, seen: Seen
) -> None:
    @effects.action
    def post_retitle_outer(*, post: Post) -> None:
        post_retitle_declared_first(post=post, title="Between", key=1)
        post_retitle_declared_first(post=post, title="After", key=2)
        assert seen.calls == []  # not while the action is still writing

    post_retitle_outer(post=post)
    assert seen.calls == [({1, 2}, True, ["After"])]


def test_a_failure_fails_the_write(post: Post, seen: Seen) -> None:
    def broken(keys: set[Any]) -> None:
        raise RuntimeError("the index is broken")

    effects.handles(effects.PROFILES, with_write=True)(broken)
    try:
        with pytest.raises(RuntimeError, match="the index is broken"):
            post_retitle_declared_first(post=post, title="Lost", key=1)
    finally:
        effects._with_write[effects.PROFILES].remove(broken)
    assert Post.objects.get(pk=post.pk).title == "Before"


def test_outside_an_action_it_waits_for_the_commit(post: Post, seen: Seen) -> None:
    """A model signal may declare before its row changes (pre_delete): a write that is not an
    action has its with_write effects done after the commit, as the others."""
    with transaction.atomic():
        effects.declare(effects.PROFILES, [7])
        Post.objects.filter(pk=post.pk).update(title="After")
        assert seen.calls == []
    assert seen.calls == [({7}, False, ["After"])]
    effects.declare(effects.PROFILES, [8])  # and outside a transaction, at once
    assert seen.calls[-1] == ({8}, False, ["After"])


def test_a_rolled_back_action_does_nothing(post: Post, seen: Seen) -> None:
    with transaction.atomic():
        post_retitle_declared_first(post=post, title="After", key=1)
        transaction.set_rollback(True)
    assert seen.calls == [({1}, True, ["After"])]  # done with the write, and undone with it
    assert Post.objects.get(pk=post.pk).title == "Before"


def _open_discussion() -> None:
    discussion = DiscussionSettings.current()
    discussion.comment_moderation = False
    discussion.comment_previously_approved = False
    discussion.save()


def test_a_published_comments_search_row_commits_with_it() -> None:
    _open_discussion()
    post = PostFactory(title="Searched")
    comment = comment_submit(
        post=post,
        commenter=Commenter(name="Ada Reader", email="ada@example.org"),
        body="A remark about marginalia.",
        ip_address="203.0.113.7",
        seconds_on_page=30.0,
    )
    assert comment.status == Comment.Status.APPROVED
    assert SearchDocument.objects.filter(comment=comment).count() == 1


def test_a_comment_whose_search_row_fails_is_not_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure in the database that cannot be made here on purpose: the row's statement
    raises."""
    from broadsheet.search import services

    def broken(*, comment_id: int) -> None:
        raise RuntimeError("the search table is broken")

    _open_discussion()
    post = PostFactory(title="Searched")
    monkeypatch.setattr(services, "search_index_comment", broken)
    with pytest.raises(RuntimeError, match="search table"):
        comment_submit(
            post=post,
            commenter=Commenter(name="Ada Reader", email="ada@example.org"),
            body="A remark that is not kept.",
            ip_address="203.0.113.7",
            seconds_on_page=30.0,
        )
    assert not Comment.objects.filter(post=post).exists()
    assert Post.objects.get(pk=post.pk).comment_count == 0
