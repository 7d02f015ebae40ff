"""What a change to comments makes stale: declared once here, used by the discussion's and
moderation's actions and by the discussion's signals. The discussion also does the effects
on stored comment cards, which lower layers (accounts, settings) declare by name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from broadsheet.core import effects


def comment_changed(*, comment_id: int, post_id: int, shown: bool) -> None:
    """A comment changed. `shown`: readers saw it before the change or see it after (approved
    then or now); a comment only its writer or the moderators ever saw changes no page and
    has no search row, so it costs nothing (most comments a form posts are held or spam)."""
    if shown:
        effects.pages(posts=[post_id], listings=True)
        effects.search(comments=[comment_id])


def comments_rewritten(*, comment_ids: Iterable[int], post_ids: Iterable[int]) -> None:
    """Who wrote these comments changed (erasure, an account deleted): their pages, search
    rows and stored cards."""
    ids = list(comment_ids)
    effects.pages(posts=post_ids, listings=True)
    effects.search(comments=ids)
    effects.cards(comments=ids)


def _rebuild_later(*args: int) -> None:
    from broadsheet.discussion.tasks import rebuild_comment_cards

    transaction.on_commit(lambda: rebuild_comment_cards.enqueue(*args))


def _stale(**condition: Any) -> int:
    """Mark cards stale in the write's transaction: rendered in full until the worker rebuilds
    them after the commit."""
    from broadsheet.discussion.models import Comment

    return Comment.objects.filter(**condition).exclude(card_key="").update(card_key="")


@effects.handles(effects.CARDS_COMMENTS, now=True)
def _cards_of_comments(comment_ids: set[int]) -> None:
    if _stale(pk__in=comment_ids):
        _rebuild_later()


@effects.handles(effects.CARDS_PEOPLE, now=True)
def _cards_of_people(user_ids: set[int]) -> None:
    for user_id in user_ids:
        if _stale(user_id=user_id):
            _rebuild_later(user_id)


@effects.handles(effects.CARDS_ALL)
def _every_card(keys: set[Any]) -> None:
    """Avatars on/off or Gravatar: every stored card is stale (its key says so at once); the
    worker rebuilds them."""
    _rebuild_later()


@effects.handles(effects.SETTINGS)
def _settings(labels: set[str]) -> None:
    if "discussion.discussionsettings" in labels:
        effects.cards(every=True)


@effects.handles(effects.POST_VERSION)
def _new_versions(post_ids: set[int]) -> None:
    """Posts with a new published version: the worker finds their responses' passages again
    (discussion.relocation), if they have any."""
    from broadsheet.discussion.models import Anchor
    from broadsheet.discussion.tasks import relocate_anchors

    anchored = Anchor.objects.filter(post_id__in=post_ids).values_list("post_id", flat=True)
    for post_id in sorted(set(anchored)):
        relocate_anchors.enqueue(post_id)
