"""Reads for federation: followers' inboxes, what was last sent for an essay or of an actor,
the deliveries due, the answers to send, counts for NodeInfo and the followers' collection."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.federation.models import Delivery, Follower, LocalActor, Outgoing, Remote
from broadsheet.publishing.models import Post, PostAuthor


def follower_inboxes(actor_ids: list[int]) -> list[str]:
    """Each follower's server once: its shared inbox when it has one, else the follower's."""
    rows = Follower.objects.filter(actor__in=actor_ids).values_list(
        "remote__shared_inbox", "remote__inbox"
    )
    return list(dict.fromkeys(shared or own for shared, own in rows.iterator(chunk_size=2000)))


def follower_count(actor_id: int) -> int:
    return Follower.objects.filter(actor=actor_id).count()


def last_sent(post_id: int) -> Outgoing | None:
    return (
        Outgoing.objects.select_related("actor")
        .filter(post=post_id, kind__in=("Create", "Update", "Delete"))
        .order_by("-created_at", "-pk")
        .first()
    )


def followed_actors(user_ids: set[int]) -> list[int]:
    """The actors of these accounts that someone follows and that have not left (one query)."""
    found = LocalActor.objects.filter(user__in=user_ids, left_at=None, followers__isnull=False)
    return sorted(set(found.values_list("pk", flat=True)))


def followed_site_actor() -> int | None:
    """The site's actor, when someone follows it and it has not left (one query)."""
    found = LocalActor.objects.filter(user=None, left_at=None, followers__isnull=False)
    return found.values_list("pk", flat=True).first()


def last_actor_update(actor_id: int) -> Outgoing | None:
    """The last Update this actor sent of itself (its profile), if any."""
    sent = Outgoing.objects.filter(actor=actor_id, kind="Update", post=None, comment_ref=None)
    of_itself = sent.filter(document__object__type__in=["Person", "Service"])
    return of_itself.order_by("-created_at", "-pk").first()


def post_author(post: Post) -> User | None:
    row = PostAuthor.objects.filter(post=post).select_related("author").order_by("position")
    first = row.first()
    return first.author if first else None


def is_author(user: User) -> bool:
    """Only people who wrote a public essay are actors (commenters are not)."""
    return PostAuthor.objects.filter(
        author=user, post__kind=Post.Kind.POST, post__status=Post.Status.PUBLISHED
    ).exists()


def deliveries_claim(outgoing_id: int, *, limit: int, lease: int) -> list[Delivery]:
    """Due deliveries of the activity, each taken for `lease` seconds (another worker leaves
    it alone meanwhile; a worker stopped half-way leaves it due again after the lease)."""
    now = timezone.now()
    due = list(
        Delivery.objects.filter(
            activity=outgoing_id, status=Delivery.Status.QUEUED, due_at__lte=now
        ).values_list("pk", flat=True)[:limit]
    )
    if not due:
        return []
    until = now + timedelta(seconds=lease)
    # One UPDATE per row with its condition: only rows still due are ours.
    mine = [
        pk
        for pk in due
        if Delivery.objects.filter(pk=pk, status=Delivery.Status.QUEUED, due_at__lte=now).update(
            due_at=until
        )
    ]
    return list(Delivery.objects.filter(pk__in=mine))


def stalled_activities() -> list[int]:
    """Activities with deliveries due for two minutes and more: their task was lost (a worker
    stopped during it)."""
    before = timezone.now() - timedelta(minutes=2)
    return list(
        Delivery.objects.filter(status=Delivery.Status.QUEUED, due_at__lt=before)
        .values_list("activity", flat=True)
        .distinct()[:100]
    )


def answer_with_reply(comment_id: int) -> tuple[Comment, Remote, Outgoing | None] | None:
    """A comment by an account holder answering a fediverse reply, the reply it answers, and
    what was last sent of it (None: nothing yet)."""
    comment = (
        Comment.objects.select_related("post", "user", "parent")
        .filter(pk=comment_id, user__isnull=False, parent__kind=Comment.Kind.FEDIVERSE)
        .first()
    )
    if comment is None:
        return None
    remote = Remote.objects.select_related("actor").filter(comment=comment.parent_id).first()
    if remote is None:
        return None
    return comment, remote, sent_answer(comment.pk)


def answers_among(comment_ids: set[int]) -> list[int]:
    """Which of these comments answer a fediverse reply, or were sent as answers (deleted
    since, perhaps): two queries."""
    answering = Comment.objects.filter(
        Q(pk__in=comment_ids), ~Q(user=None), parent__kind=Comment.Kind.FEDIVERSE
    ).values_list("pk", flat=True)
    sent = Outgoing.objects.filter(comment_ref__in=comment_ids).values_list(
        "comment_ref", flat=True
    )
    return sorted({*answering, *(ref for ref in sent if ref is not None)})


def sent_answer(comment_id: int) -> Outgoing | None:
    """What was last sent of this answer."""
    return Outgoing.objects.filter(comment_ref=comment_id).order_by("-created_at", "-pk").first()


def federated_not_public(post_ids: set[int]) -> list[int]:
    """Essays sent to followers that are no longer public (one query)."""
    return list(
        Outgoing.objects.filter(post__in=post_ids, kind="Create")
        .exclude(post__status=Post.Status.PUBLISHED)
        .values_list("post", flat=True)
        .distinct()
    )
