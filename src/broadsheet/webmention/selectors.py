"""Reads for Webmention: the likes and reposts shown under an essay."""

from __future__ import annotations

from dataclasses import dataclass

from broadsheet.core.identicon import identicon_key
from broadsheet.discussion.models import Comment
from broadsheet.webmention.models import Mention


@dataclass(frozen=True)
class Face:
    name: str
    url: str  # the author's page, or the source when the author gave none
    picture: str  # drawn here (an identicon): readers' browsers ask no other site


@dataclass(frozen=True)
class Reactions:
    likes: list[Face]
    reposts: list[Face]


def reactions_for_post(post_id: int) -> Reactions:
    """Approved likes and reposts of the essay, oldest first: one query."""
    rows = (
        Mention.objects.filter(
            post_id=post_id,
            kind__in=Comment.REACTIONS,
            comment__status=Comment.Status.APPROVED,
            comment__removed=False,
        )
        .order_by("comment__created_at", "pk")
        .values_list("kind", "source", "comment__author_name", "comment__author_url")
    )
    found: dict[str, list[Face]] = {"like": [], "repost": []}
    for kind, source, name, url in rows:
        who = url or source
        face = Face(name=name or "Someone", url=who, picture=f"/identicon/{identicon_key(who)}.svg")
        found[kind].append(face)
    return Reactions(likes=found["like"], reposts=found["repost"])
