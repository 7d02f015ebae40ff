"""What each verified activity does: Follow and Undo, a Note replying to an essay or to a
comment here (Create, Update, Delete), Like and Announce. Anything else is acknowledged and
ignored. An activity may only touch what its own actor made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html

from broadsheet.core.sanitize import clean_comment_html, stored_html_text
from broadsheet.discussion.models import Comment
from broadsheet.federation import services
from broadsheet.federation.inbox import Delivered
from broadsheet.federation.models import Follower, LocalActor, Remote
from broadsheet.publishing.models import Post

MAX_TEXT = 10_000


def handle(delivered: Delivered) -> str:
    kind = delivered.activity["type"]
    return _HANDLERS.get(kind, lambda d: "ignored")(delivered)


def _id(value: Any) -> str:
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else ""


def _local(uri: str) -> tuple[str, dict[str, Any]] | None:
    """The view name and arguments of one of our addresses, else None."""
    parts = urlsplit(uri)
    if f"{parts.scheme}://{parts.netloc}" != settings.SITE_URL:
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    return match.view_name, match.kwargs


def _follow(delivered: Delivered) -> str:
    found = _local(_id(delivered.activity.get("object")))
    if found is None or found[0] != "federation:actor":
        return "not one of our actors"
    actor = LocalActor.objects.filter(username=found[1]["username"]).first()
    if actor is None:
        return "not one of our actors"
    follow_id = _id(delivered.activity) or f"{delivered.actor.uri}#follow"
    services.follower_add(actor=actor, remote=delivered.actor, follow_id=follow_id)
    return "following"


def _undo(delivered: Delivered) -> str:
    undone = delivered.activity.get("object")
    kind = undone.get("type") if isinstance(undone, dict) else None
    if kind == "Follow":
        for follower in Follower.objects.filter(remote=delivered.actor).select_related("actor"):
            if _id(undone.get("object")) in ("", _actor_uri(follower.actor)):  # type: ignore[union-attr]
                services.follower_remove(actor=follower.actor, remote=delivered.actor)
        return "unfollowed"
    return _remove(delivered, _id(undone))


def _actor_uri(actor: LocalActor) -> str:
    from broadsheet.federation.documents import actor_uri

    return actor_uri(actor.username)


def _create(delivered: Delivered) -> str:
    note = delivered.activity.get("object")
    if not isinstance(note, dict) or note.get("type") not in ("Note", "Article"):
        return "ignored"
    if _id(note.get("attributedTo")) not in ("", delivered.actor.uri):
        return "refused: written by someone else"
    target = _reply_target(_id(note.get("inReplyTo")))
    if target is None:
        return "ignored: not a reply to this site"
    post, parent = target
    if not post.comments_open:
        return "refused: comments are closed"
    existing = Remote.objects.filter(object_id=_id(note)).first()
    if existing is not None and existing.actor_id != delivered.actor.pk:
        return "refused: not yours"
    services.remote_reply_receive(post=post, parent=parent, actor=delivered.actor,
                                  reply=_reply(note))  # fmt: skip
    return "received"


def _reply_target(uri: str) -> tuple[Post, Comment | None] | None:
    """The essay (and comment) a Note replies to: the essay's address or its Article, one of
    our answers' Notes, or a fediverse reply already here."""
    known = Remote.objects.select_related("post", "comment").filter(object_id=uri).first()
    if known is not None and known.comment is not None:
        return known.post, known.comment
    found = _local(uri.split("#", 1)[0]) if uri else None
    if found is None:
        return None
    name, kwargs = found
    if name == "federation:article":
        post = Post.objects.filter(pk=kwargs["post_id"], kind=Post.Kind.POST).first()
        return (post, None) if post is not None and post.is_public else None
    if name == "federation:note":
        comment = Comment.objects.select_related("post").filter(pk=kwargs["comment_id"]).first()
        return (comment.post, comment) if comment is not None else None
    if name == "publishing:post":
        post = Post.objects.filter(kind=Post.Kind.POST, slug=kwargs["slug"]).first()
        return (post, None) if post is not None and post.is_public else None
    return None


def _reply(note: dict[str, Any]) -> services.Reply:
    """The Note's words (sanitized as a comment's), with a link to the original at its foot."""
    content = note.get("content")
    html = clean_comment_html(content[: MAX_TEXT * 4]) if isinstance(content, str) else ""
    text = stored_html_text(html)[:MAX_TEXT]
    url = _id(note.get("url")) if not isinstance(note.get("url"), list) else ""
    url = url if urlsplit(url).scheme in ("http", "https") and len(url) <= 500 else ""
    original = url or _id(note)
    if urlsplit(original).scheme in ("http", "https") and len(original) <= 500:
        where = urlsplit(original).hostname or ""
        html += format_html('<p class="comment-original"><a href="{}" rel="external nofollow ugc">'
                            "The original on {}</a></p>", original, where)  # fmt: skip
    return services.Reply(object_id=_id(note)[:500], url=original[:500], html=html, text=text,
                          published=_when(note.get("published")))  # fmt: skip


def _when(value: Any) -> datetime:
    now = timezone.now()
    found = parse_datetime(value) if isinstance(value, str) else None
    if found is None or found.tzinfo is None or found > now:
        return now
    return found


def _update(delivered: Delivered) -> str:
    note = delivered.activity.get("object")
    if not isinstance(note, dict):
        return "ignored"
    if note.get("type") in ("Person", "Service", "Application", "Group", "Organization"):
        if _id(note) != delivered.actor.uri:
            return "ignored"
        from broadsheet.core.safefetch import FetchRefused
        from broadsheet.federation.remote import store

        try:
            store(note)
        except FetchRefused as why:
            return f"ignored: {why}"
        return "profile updated"
    remote = Remote.objects.select_related("actor", "comment").filter(object_id=_id(note)).first()
    if remote is None or remote.actor_id != delivered.actor.pk or remote.kind != Remote.Kind.NOTE:
        return "ignored"
    services.remote_reply_update(remote=remote, reply=_reply(note))
    return "updated"


def _delete(delivered: Delivered) -> str:
    gone = _id(delivered.activity.get("object"))
    if gone == delivered.actor.uri:  # the account itself was deleted
        for follower in Follower.objects.filter(remote=delivered.actor).select_related("actor"):
            services.follower_remove(actor=follower.actor, remote=delivered.actor)
        return "account gone"
    return _remove(delivered, gone)


def _remove(delivered: Delivered, object_id: str) -> str:
    remote = Remote.objects.select_related("comment").filter(object_id=object_id).first()
    if remote is None or remote.actor_id != delivered.actor.pk:
        return "ignored"
    services.remote_remove(remote=remote)
    return "removed"


def _reaction(kind: str) -> Callable[[Delivered], str]:
    def react(delivered: Delivered) -> str:
        target = _reply_target(_id(delivered.activity.get("object")))
        activity_id = _id(delivered.activity)
        if target is None or target[1] is not None or not activity_id:
            return "ignored"
        services.remote_reaction_receive(post=target[0], actor=delivered.actor,
                                         activity_id=activity_id[:500], kind=kind)  # fmt: skip
        return "counted"

    return react


_HANDLERS: dict[str, Callable[[Delivered], str]] = {
    "Follow": _follow,
    "Undo": _undo,
    "Create": _create,
    "Update": _update,
    "Delete": _delete,
    "Like": _reaction(Remote.Kind.LIKE),
    "Announce": _reaction(Remote.Kind.ANNOUNCE),
}
