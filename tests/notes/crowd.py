"""A small polarised crowd for the scoring-run tests: two camps of readers who disagree on
partisan notes, which gives the scorer its divide, and the notes the tests are about."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.notes.models import Note, Rating, Status
from broadsheet.notes.published import MARK
from broadsheet.publishing.additions import post_mark
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages

_names = count()


def reader(*, days: int = 30) -> User:
    """An account `days` old."""
    name = f"reader{next(_names)}"
    joined = timezone.now() - timedelta(days=days)
    # No password: hashing one per reader would be most of these tests' time.
    return User.objects.create(username=name, email=f"{name}@example.org", date_joined=joined)


def note(post: Post, body: str = "The harbour was dredged in 1862.", **fields: Any) -> Note:
    values: dict[str, Any] = {
        "sources": [{"kind": "url", "value": "https://example.org/ledger"}],
        "author": None,
        **fields,
    }
    made = Note.objects.create(post=post, body=body, **values)
    if made.status == Status.SHOWN:  # as a scoring run that shows a note marks its essay
        post_mark(post.pk, MARK)
        post.refresh_from_db(fields=["marks"])
    return made


def passage_note(post: Post, body: str, *, which: int = 0, **fields: Any) -> Note:
    """A note on the whole of the post's `which`-th passage."""
    passage = post_passages(post)[which]
    return note(post, body, passage=passage.id, exact=passage.text, **fields)


def rate(target: Note, raters: Iterable[User], value: str) -> None:
    Rating.objects.bulk_create(Rating(note=target, rater=r, value=value) for r in raters)
    Note.objects.filter(pk=target.pk).update(ratings_count=target.ratings.count())


class Crowd:
    """Two camps of readers, and one pair of partisan notes per `pairs` rated along the divide
    (helpful to one camp, not to the other) on `post`."""

    def __init__(self, post: Post, *, size: int = 4, pairs: int = 2) -> None:
        self.left = [reader() for _ in range(size)]
        self.right = [reader() for _ in range(size)]
        self.partisan: list[Note] = []
        for n in range(pairs):
            for liked, disliked in ((self.left, self.right), (self.right, self.left)):
                made = note(post, f"Partisan note {n}.")
                rate(made, liked, Rating.Value.HELPFUL)
                rate(made, disliked, Rating.Value.NOT_HELPFUL)
                self.partisan.append(made)

    @property
    def everyone(self) -> list[User]:
        return [*self.left, *self.right]

    def bridge(self, target: Note) -> Note:
        """Both camps rate `target` helpful."""
        rate(target, self.everyone, Rating.Value.HELPFUL)
        return target

    def reject(self, target: Note) -> Note:
        rate(target, self.everyone, Rating.Value.NOT_HELPFUL)
        return target
