"""Writes for federation: this site's actors and their keys, remote actors, followers, blocks,
replies and reactions received into the discussion, and activities queued for delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import Received, comment_receive, comment_receive_again
from broadsheet.federation import documents, signatures
from broadsheet.federation.models import (
    Block,
    Delivery,
    Follower,
    LocalActor,
    Outgoing,
    Remote,
    RemoteActor,
    Seen,
)
from broadsheet.moderation.services import comment_delete
from broadsheet.publishing.additions import post_mark
from broadsheet.publishing.models import Post
from broadsheet.webmention.published import MARK as FACES


def site_actor() -> LocalActor:
    found = LocalActor.objects.filter(user=None).first()
    return found or local_actor_create(user=None, username=documents.SITE_ACTOR)


def author_actor(user: User) -> LocalActor:
    found = LocalActor.objects.filter(user=user).first()
    return found or local_actor_create(user=user, username=user.username)


@action
def local_actor_create(*, user: User | None, username: str) -> LocalActor:
    """An actor of this site, with a new RSA key pair (made once, kept)."""
    private, public = signatures.key_pair()
    try:
        with transaction.atomic():
            return LocalActor.objects.create(
                user=user, username=username, private_key_pem=private, public_key_pem=public
            )
    except IntegrityError:  # another request made it first
        return LocalActor.objects.get(user=user) if user else LocalActor.objects.get(user=None)


@action
def remote_actor_store(*, uri: str, fields: dict[str, Any]) -> RemoteActor:
    """An actor's document as it was just fetched (its key, inbox and name)."""
    remote, _ = RemoteActor.objects.update_or_create(
        uri=uri, defaults={**fields, "fetched_at": timezone.now()}
    )
    return remote


@action
def signature_remember(*, digest: str) -> bool:
    """Whether this signature is new (and now remembered): False for a replay."""
    try:
        with transaction.atomic():
            Seen.objects.create(digest=digest)
    except IntegrityError:
        return False
    return True


@action
def follower_add(*, actor: LocalActor, remote: RemoteActor, follow_id: str) -> Follower:
    """A Follow accepted: stored, and an Accept queued for the worker to deliver."""
    follower, _ = Follower.objects.update_or_create(
        actor=actor, remote=remote, defaults={"follow_id": follow_id[:500]}
    )
    uri = documents.actor_uri(actor.username)
    follow = {"id": follow_id, "type": "Follow", "actor": remote.uri, "object": uri}
    activity_queue(actor=actor, kind="Accept", obj=follow, to=[remote.uri], inboxes=[remote.inbox])
    return follower


@action
def follower_remove(*, actor: LocalActor, remote: RemoteActor) -> int:
    """An Undo of a Follow (or the follower's account deleted)."""
    return Follower.objects.filter(actor=actor, remote=remote).delete()[0]


@action
def remote_block(*, target: str, reason: str = "") -> Block:
    """A moderator refuses a server (its host name) or one actor (its id): its follows are
    dropped and nothing it sends is accepted again."""
    target = target.strip().lower() if "/" not in target else target.strip()
    block, _ = Block.objects.update_or_create(
        target=target[:500], defaults={"reason": reason[:300]}
    )
    if "/" in target:
        Follower.objects.filter(remote__uri=target).delete()
    else:
        doomed = [r.pk for r in RemoteActor.objects.all().only("uri") if r.host == target]
        Follower.objects.filter(remote__in=doomed).delete()
    return block


@dataclass(frozen=True)
class Reply:
    object_id: str
    url: str  # the original, for readers
    html: str  # sanitized
    text: str
    published: datetime


@action
def remote_reply_receive(*, post: Post, parent: Comment | None, actor: RemoteActor,
                         reply: Reply) -> Remote:  # fmt: skip
    """A Note replying to an essay (or to a comment here): a comment of kind fediverse,
    moderated as the form's are; sent again, its comment is brought up to date."""
    received = _received(actor, reply, parent=parent, mention="reply")
    remote = Remote.objects.filter(object_id=reply.object_id).first()
    if remote is not None and remote.comment is not None:
        comment_receive_again(comment=remote.comment, received=received)
        return remote
    comment = comment_receive(post=post, received=received)
    return Remote.objects.create(
        object_id=reply.object_id, kind=Remote.Kind.NOTE, actor=actor, post=post,
        comment=comment, url=reply.url,
    )  # fmt: skip


@action
def remote_reply_update(*, remote: Remote, reply: Reply) -> Remote:
    """The origin edited its Note (an Update): the comment's words follow."""
    if remote.comment is not None:
        received = _received(remote.actor, reply, parent=remote.comment.parent, mention="reply")
        comment_receive_again(comment=remote.comment, received=received)
    return remote


@action
def remote_remove(*, remote: Remote) -> None:
    """The origin deleted its Note, or undid its Like or Announce: the comment is deleted as a
    moderator's Delete does."""
    if remote.comment is not None:
        comment_delete(comment=remote.comment)
        effects.pages(posts=[remote.post_id])
    remote.delete()


@action
def remote_reaction_receive(*, post: Post, actor: RemoteActor, activity_id: str,
                            kind: str) -> Remote:  # fmt: skip
    """A Like or an Announce of an essay: shown with the faces under it (decision 0081)."""
    found = Remote.objects.filter(object_id=activity_id).first()
    if found is not None:
        return found
    mention = "like" if kind == Remote.Kind.LIKE else "repost"
    reply = Reply(object_id=activity_id, url=actor.url, html="", text="", published=timezone.now())
    comment = comment_receive(post=post, received=_received(actor, reply, parent=None,
                                                            mention=mention))  # fmt: skip
    post_mark(post.pk, FACES)  # the essay's page reads its faces from now on (decision 0105)
    effects.pages(posts=[post.pk])
    return Remote.objects.create(object_id=activity_id, kind=kind, actor=actor, post=post,
                                 comment=comment, url=actor.url)  # fmt: skip


def _received(
    actor: RemoteActor, reply: Reply, *, parent: Comment | None, mention: str
) -> Received:
    return Received(
        name=actor.name or actor.username or actor.host, url=actor.url or actor.uri,
        body=reply.text, body_html=reply.html, created_at=reply.published, mention=mention,
        kind=Comment.Kind.FEDIVERSE, parent=parent,
    )  # fmt: skip


@action
def activity_queue(*, actor: LocalActor, kind: str, obj: Any, to: list[str], inboxes: list[str],
                   post: Post | None = None, comment: Comment | None = None,
                   version: int = 0, comment_ref: int | None = None) -> Outgoing:  # fmt: skip
    """An activity to deliver to these inboxes (each once: one row per inbox), by the
    worker after the commit."""
    outgoing = Outgoing(actor=actor, kind=kind, post=post, comment=comment, version=version,
                        comment_ref=comment.pk if comment else comment_ref, document={})  # fmt: skip
    outgoing.document = documents.activity(
        kind, actor=documents.actor_uri(actor.username), token=str(outgoing.token), obj=obj,
        to=to, cc=[documents.followers_uri(actor.username)] if post is not None else [],
    )  # fmt: skip
    outgoing.save()
    Delivery.objects.bulk_create(
        [Delivery(activity=outgoing, inbox=inbox) for inbox in dict.fromkeys(inboxes) if inbox],
        ignore_conflicts=True,
    )
    from broadsheet.federation.tasks import deliver

    transaction.on_commit(lambda: deliver.enqueue(outgoing.pk))
    return outgoing


@action
def delivery_record(*, delivery: Delivery, status: str, answer: int | None = None,
                    reason: str = "", due_at: datetime | None = None) -> Delivery:  # fmt: skip
    """What happened to one delivery (no reader sees it)."""
    delivery.status, delivery.answer, delivery.reason = status, answer, reason[:300]
    delivery.tried_at, delivery.attempts = timezone.now(), delivery.attempts + 1
    delivery.due_at = due_at or delivery.due_at
    delivery.save(update_fields=["status", "answer", "reason", "tried_at", "attempts", "due_at"])
    return delivery


@action
def actors_leave() -> int:
    """Leave the fediverse: each actor sends Delete of itself to its followers' servers and
    answers 410 Gone from now on; the follows are dropped. Returns how many actors left."""
    from broadsheet.federation.selectors import follower_inboxes

    actors = list(LocalActor.objects.filter(left_at=None))
    for actor in actors:
        uri = documents.actor_uri(actor.username)
        activity_queue(actor=actor, kind="Delete", obj=uri, to=[documents.PUBLIC],
                       inboxes=follower_inboxes([actor.pk]))  # fmt: skip
        Follower.objects.filter(actor=actor).delete()
    LocalActor.objects.filter(pk__in=[a.pk for a in actors]).update(left_at=timezone.now())
    return len(actors)
