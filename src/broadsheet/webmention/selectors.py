"""Reads for Webmention: the likes and reposts shown under an essay."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

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
    """Approved likes and reposts of the essay, oldest first: one query. Those from the
    fediverse (federation's Like and Announce, comments of kind fediverse) are among them."""
    source = Mention.objects.filter(comment=OuterRef("pk")).values("source")[:1]
    rows = (
        Comment.objects.filter(
            post_id=post_id,
            kind__in=(Comment.Kind.WEBMENTION, Comment.Kind.FEDIVERSE),
            mention__in=Comment.REACTIONS,
            status=Comment.Status.APPROVED,
            removed=False,
        )
        .annotate(source=Subquery(source))
        .order_by("created_at", "pk")
        .values_list("mention", "source", "author_name", "author_url")
    )
    found: dict[str, list[Face]] = {"like": [], "repost": []}
    for kind, source_url, name, url in rows:
        who = url or source_url or ""
        face = Face(name=name or "Someone", url=who, picture=f"/identicon/{identicon_key(who)}.svg")
        found[kind].append(face)
    return Reactions(likes=found["like"], reposts=found["repost"])
