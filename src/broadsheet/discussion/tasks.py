"""Work the worker does for the discussion."""

from __future__ import annotations

from django_tasks import task

from broadsheet.discussion.rendering import refresh_cards, stale_cards


@task()
def rebuild_comment_cards(user_id: int | None = None) -> int:
    """Rebuild the stored cards that no longer match (after a change to the avatar settings),
    or every card of one account holder (after they changed their name or photo). Until then
    their pages render those comments in full: slower, never wrong."""
    comments = stale_cards()
    if user_id is not None:
        comments = comments.filter(user_id=user_id)
    return refresh_cards(comments.iterator(chunk_size=1000))


@task()
def relocate_anchors(post_id: int) -> int:
    """After a new version of the post was published: its responses' anchors found again in
    its text (discussion.relocation); returns how many now read differently."""
    from broadsheet.discussion.relocation import anchors_relocate

    return anchors_relocate(post_id=post_id)
