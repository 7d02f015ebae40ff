"""The worker's part of federation: turning a published (revised, unpublished) essay, an
author's answer or an author's edited profile into activities, and delivering each to its inboxes — many at once, each
inbox once, failures tried again later and given up after ATTEMPTS without holding the rest."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Min
from django.utils import timezone
from django_tasks import task

from broadsheet.core import safefetch
from broadsheet.core.safefetch import FetchRefused
from broadsheet.discussion.models import Comment
from broadsheet.federation import documents, remote, selectors, services, signatures
from broadsheet.federation.models import Delivery, LocalActor, Outgoing, Seen

logger = logging.getLogger(__name__)
ATTEMPTS = 5  # the first try and four more, each after a longer wait
BACKOFF = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))
CHUNK = 500  # deliveries read at a time: memory stays flat whatever the number of followers


@task()
def federate_post(post_id: int) -> str:
    """Queued once by the request that published, revised or unpublished an essay: the
    Create, Update or Delete its followers should receive (nothing when they have it)."""
    from broadsheet.publishing.models import Post

    post = Post.objects.filter(pk=post_id).first()
    if post is None or post.is_page or post.kind != Post.Kind.POST:
        return "not an essay"
    sent = selectors.last_sent(post.pk)
    if not post.is_public:
        if sent is None or sent.kind == "Delete":
            return "nothing to do"
        return _send_article(post, "Delete", sent.actor)
    if sent is not None and sent.kind != "Delete" and sent.version == post.version:
        return "already sent"
    author = selectors.post_author(post)
    actor = services.author_actor(author) if author else services.site_actor()
    if actor.left_at is not None:
        return "the actor left the fediverse"
    kind = "Update" if sent is not None and sent.kind != "Delete" else "Create"
    return _send_article(post, kind, actor)


def _send_article(post: object, kind: str, actor: LocalActor) -> str:
    from broadsheet.publishing.models import Post

    assert isinstance(post, Post)
    site = services.site_actor()
    uri = documents.article_uri(post.pk)
    obj = (
        {"id": uri, "type": "Tombstone"}
        if kind == "Delete"
        else documents.article(post, author=actor.username)
    )
    to = [documents.PUBLIC]
    inboxes = selectors.follower_inboxes([actor.pk, site.pk])
    services.activity_queue(actor=actor, kind=kind, obj=obj, to=to, inboxes=inboxes, post=post,
                            version=post.version)  # fmt: skip
    if kind == "Create" and site.pk != actor.pk:  # the site's followers see it boosted
        site_only = selectors.follower_inboxes([site.pk])
        services.activity_queue(actor=site, kind="Announce", obj=uri, to=to, inboxes=site_only)
    return kind


@task()
def federate_actor(actor_id: int) -> str:
    """Queued by an edit of an author's profile, or of the site's title or tagline for the
    site's actor: the actor as its address serves it now, in an Update to its followers'
    servers, so they show the new name and pictures (nothing when no one follows, or they were
    sent this document already)."""
    actor = LocalActor.objects.select_related("user__profile").filter(pk=actor_id).first()
    if actor is None or actor.left_at is not None:
        return "not an actor"
    if actor.user is not None and (not actor.user.is_active or not selectors.is_author(actor.user)):
        return "no longer an actor"  # its address answers 404: nothing to describe
    inboxes = selectors.follower_inboxes([actor.pk])
    if not inboxes:
        return "no followers"
    document = documents.actor(actor)
    sent = selectors.last_actor_update(actor.pk)
    if sent is not None and sent.document.get("object") == document:
        return "already sent"
    services.activity_queue(actor=actor, kind="Update", obj=document, to=[documents.PUBLIC],
                            inboxes=inboxes)  # fmt: skip
    return "Update"


@task()
def federate_answer(comment_id: int) -> str:
    """An author answered a fediverse reply on the site: the answer goes to its writer's
    server as a Note in reply to theirs (Create); edited, an Update; removed or no longer
    approved, a Delete."""
    found = selectors.answer_with_reply(comment_id)
    if found is None:
        return _answer_deleted(comment_id)
    comment, replied, sent = found
    assert comment.user is not None  # answer_with_reply reads only account holders' comments
    shown = comment.status == Comment.Status.APPROVED and not comment.removed
    was_sent = sent is not None and sent.kind != "Delete"
    if shown and was_sent and sent is not None and comment.modified_at <= sent.created_at:
        return "already sent"
    if not shown and not was_sent:
        return "nothing to send"
    actor = services.author_actor(comment.user)
    to = [replied.actor.uri]
    obj: Any = documents.note(comment, author=actor.username, in_reply_to=replied.object_id,
                              to=to)  # fmt: skip
    obj["tag"] = [{"type": "Mention", "href": replied.actor.uri,
                   "name": f"@{replied.actor.username}"}]  # fmt: skip
    kind = "Update" if shown and was_sent else "Create" if shown else "Delete"
    if kind == "Delete":
        obj = {"id": documents.note_uri(comment.pk), "type": "Tombstone"}
    services.activity_queue(actor=actor, kind=kind, obj=obj, to=to,
                            inboxes=[replied.actor.inbox], comment=comment)  # fmt: skip
    return kind


def _answer_deleted(comment_id: int) -> str:
    """An answer sent before whose row is gone (deleted for good): its Delete, to the same
    inbox."""
    sent = selectors.sent_answer(comment_id)
    if sent is None or sent.kind == "Delete":
        return "not an answer to the fediverse"
    inboxes = list(sent.deliveries.values_list("inbox", flat=True))
    tomb = {"id": documents.note_uri(comment_id), "type": "Tombstone"}
    services.activity_queue(actor=sent.actor, kind="Delete", obj=tomb, to=sent.document.get("to", []),
                            inboxes=inboxes, comment_ref=comment_id)  # fmt: skip
    return "Delete"


@task()
def deliver(outgoing_id: int) -> int:
    """Every due delivery of the activity, THREADS at a time; returns how many were tried.
    Deliveries already sent are never sent again (a restarted worker picks up the rest)."""
    outgoing = Outgoing.objects.select_related("actor").filter(pk=outgoing_id).first()
    if outgoing is None:
        return 0
    body = json.dumps(outgoing.document).encode()
    key_id = f"{documents.actor_uri(outgoing.actor.username)}#main-key"
    tried = 0
    with ThreadPoolExecutor(max_workers=settings.FEDERATION_DELIVERY_THREADS) as pool:
        while True:
            due = selectors.deliveries_claim(outgoing.pk, limit=CHUNK,
                                             lease=settings.FEDERATION_TIMEOUT * 3)  # fmt: skip
            if not due:
                break
            args = [(d, body, key_id, outgoing.actor.private_key_pem) for d in due]
            tried += sum(pool.map(lambda a: _deliver_one(*a), args))
    _again_later(outgoing.pk)
    return tried


def _deliver_one(delivery: Delivery, body: bytes, key_id: str, private_pem: str) -> int:
    try:
        status = _post(delivery.inbox, body, key_id, private_pem)
        if 200 <= status < 300:
            services.delivery_record(delivery=delivery, status=Delivery.Status.SENT, answer=status)
        elif status >= 500 or status == 429:
            _failed(delivery, f"the inbox answered {status}", answer=status)
        else:  # refused: trying again will not help
            services.delivery_record(delivery=delivery, status=Delivery.Status.FAILED,
                                     answer=status, reason=f"refused ({status})")  # fmt: skip
    except FetchRefused as why:
        _failed(delivery, str(why), answer=None)
    except Exception:  # one inbox must never stop the others
        logger.exception("Delivering to %s failed", delivery.inbox)
        _failed(delivery, "an error here", answer=None)
    finally:
        close_old_connections()
    return 1


def _post(inbox: str, body: bytes, key_id: str, private_pem: str) -> int:
    headers = {"Content-Type": documents.CONTENT_TYPE, "User-Agent": remote.agent(),
               "Accept": documents.CONTENT_TYPE}  # fmt: skip
    headers |= signatures.sign(method="POST", url=inbox, key_id=key_id, private_pem=private_pem,
                               body=body)  # fmt: skip
    answer = safefetch.fetch(inbox, limits=remote.limits(), method="POST", headers=headers,
                             data=body, want_body=lambda status, headers: False)  # fmt: skip
    return answer.status


def _failed(delivery: Delivery, reason: str, *, answer: int | None) -> None:
    last = delivery.attempts + 1 >= ATTEMPTS
    wait = BACKOFF[min(delivery.attempts, len(BACKOFF) - 1)]
    services.delivery_record(
        delivery=delivery, status=Delivery.Status.FAILED if last else Delivery.Status.QUEUED,
        answer=answer, reason=reason, due_at=timezone.now() + wait,
    )  # fmt: skip


def _again_later(outgoing_id: int) -> None:
    """One task waits for the next delivery due (a retry), if any is left."""
    nearest = Delivery.objects.filter(
        activity=outgoing_id, status=Delivery.Status.QUEUED
    ).aggregate(due=Min("due_at"))["due"]
    if nearest is not None:
        deliver.using(run_after=max(nearest, timezone.now())).enqueue(outgoing_id)


def resume_deliveries() -> int:
    """Called every tick of the worker: activities whose deliveries were left due by a stopped
    worker are taken up again (what was sent is not sent twice)."""
    if not settings.FEDERATION_ENABLED:
        return 0
    Seen.objects.filter(seen_at__lt=timezone.now() - timedelta(hours=1)).delete()
    stalled = selectors.stalled_activities()
    for outgoing_id in stalled:
        deliver.enqueue(outgoing_id)
    return len(stalled)
