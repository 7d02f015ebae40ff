"""Writes for Webmention: a mention received (queued), accepted into the discussion after the
worker read its source, or removed when the source is gone; and what was sent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import Received, comment_receive, comment_receive_again
from broadsheet.moderation.services import comment_delete
from broadsheet.publishing.additions import post_mark
from broadsheet.publishing.models import Post
from broadsheet.webmention.models import Mention, Sent
from broadsheet.webmention.parse import Read
from broadsheet.webmention.published import MARK


@action
def mention_receive(*, source: str, target: str, post: Post) -> Mention:
    """A request checked at the endpoint: queued for the worker to verify (a re-sent one
    too: the source may have changed). Nothing readers see changes until it is verified."""
    mention, _ = Mention.objects.get_or_create(
        source=source, target=target, defaults={"post": post}
    )
    mention.post, mention.status, mention.received_at = post, Mention.Status.QUEUED, timezone.now()
    mention.save(update_fields=["post", "status", "received_at"])
    from broadsheet.webmention.tasks import verify_mention

    transaction.on_commit(lambda: verify_mention.enqueue(mention.pk))
    return mention


@action
def mention_accept(*, mention: Mention, read: Read) -> Mention:
    """The source links to the target: its comment written (moderated as the form's are) or,
    for a re-sent mention, brought up to date with the source."""
    received = Received(
        name=read.author_name, url=read.author_url, body=read.text, body_html=read.html,
        created_at=read.published, mention=read.kind,
    )  # fmt: skip
    if mention.comment is not None:
        comment_receive_again(comment=mention.comment, received=received)
    else:
        mention.comment = comment_receive(post=mention.post, received=received)
    if mention.author_photo != read.author_photo:
        effects.pages(posts=[mention.post_id])  # a face under the essay
    mention.kind, mention.author_photo = read.kind, read.author_photo
    if read.kind in Comment.REACTIONS:
        post_mark(mention.post_id, MARK)  # the essay's page reads its faces from now on
    return _checked(mention, Mention.Status.ACCEPTED, "")


@action
def mention_refuse(*, mention: Mention, reason: str) -> Mention:
    """The source could not be verified (unreachable, refused by the safe fetcher, or not
    linking here): nothing is shown, the status page says why."""
    return _checked(mention, Mention.Status.REFUSED, reason)


@action
def mention_remove(*, mention: Mention, reason: str) -> Mention:
    """The source is gone (410) or no longer links here: its comment is deleted, as the
    moderators' Delete does."""
    if mention.comment is not None:
        comment_delete(comment=mention.comment)
        mention.comment = None
    return _checked(mention, Mention.Status.REMOVED, reason)


def _checked(mention: Mention, status: str, reason: str) -> Mention:
    mention.status, mention.reason, mention.checked_at = status, reason[:300], timezone.now()
    mention.save()
    return mention


@action
def sent_record(*, sent: Sent, status: str, endpoint: str = "", answer: int | None = None,
                reason: str = "") -> Sent:  # fmt: skip
    """What happened to one Webmention sent (no reader sees it)."""
    sent.status, sent.endpoint, sent.answer = status, endpoint[:500], answer
    sent.reason, sent.tried_at = reason[:300], timezone.now()
    sent.attempts += 1
    sent.save()
    return sent


@action
def sents_queue(*, post: Post, targets: list[str]) -> list[Sent]:
    """The pages an essay links to, each to be told (again, after a new version)."""
    rows = []
    for target in targets:
        sent, _ = Sent.objects.get_or_create(post=post, target=target[:500])
        sent.status, sent.attempts = Sent.Status.QUEUED, 0
        sent.save(update_fields=["status", "attempts"])
        rows.append(sent)
    return rows
