"""The "Needs your help" queue: which notes of an essay to put before a rater; and the other
reads of the notes page: what the rater wrote and rated there, and what is shown.

The rule (simulated by bench/notes.py, so the benchmark measures the queue readers get): notes
still needing ratings, not removed, neither the rater's own nor rated by them yet, fewest
ratings first, then the oldest — ratings go where they decide something.
"""

from __future__ import annotations

from typing import Any

from broadsheet.notes.models import Note, Rating, Status
from broadsheet.publishing.models import Post


def needs_help(*, post: Post, user: Any, limit: int = 5) -> list[Note]:
    """Up to `limit` notes of `post` for `user` to rate, in the queue's order (one query)."""
    rows = Note.objects.filter(post=post, status=Status.NEEDS_MORE_RATINGS, removed=False)
    if user is not None and user.is_authenticated:
        rows = rows.exclude(author=user).exclude(ratings__rater=user)
    return list(rows.order_by("ratings_count", "created_at", "pk")[: max(0, limit)])


def rated_by(*, post: Post, user: Any) -> list[Rating]:
    """`user`'s ratings of the notes of `post` (with their notes), to see and change them."""
    if user is None or not user.is_authenticated:
        return []
    rows = Rating.objects.filter(rater=user, note__post=post, note__removed=False)
    return list(rows.select_related("note").order_by("-updated_at", "-pk"))


def written_by(*, post: Post, user: Any) -> list[Note]:
    """`user`'s own notes on `post`, newest first, whatever their status."""
    if user is None or not user.is_authenticated:
        return []
    return list(Note.objects.filter(post=post, author=user, removed=False))


def shown_on(*, post: Post) -> list[Note]:
    """The notes of `post` a scoring run shows, oldest first (the notes page's plain list;
    the essay's page shows them through notes.published)."""
    rows = Note.objects.filter(post=post, status=Status.SHOWN, removed=False)
    return list(rows.order_by("status_at", "pk"))
