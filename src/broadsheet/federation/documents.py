"""The JSON documents of ActivityPub (ActivityStreams 2.0) this site serves and sends: actors,
essays as Articles, answers as Notes, activities, WebFinger and NodeInfo."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment
from broadsheet.federation.models import LocalActor
from broadsheet.publishing.models import Post

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTENT_TYPE = "application/activity+json"
SITE_ACTOR = "site"  # the site's own actor: @site@host


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def host() -> str:
    return urlsplit(settings.SITE_URL).netloc


def actor_uri(username: str) -> str:
    return absolute(reverse("federation:actor", args=[username]))


def followers_uri(username: str) -> str:
    return absolute(reverse("federation:followers", args=[username]))


def article_uri(post_id: int) -> str:
    return absolute(reverse("federation:article", args=[post_id]))


def note_uri(comment_id: int) -> str:
    return absolute(reverse("federation:note", args=[comment_id]))


def actor(local: LocalActor) -> dict[str, Any]:
    uri = actor_uri(local.username)
    site = SiteSettings.current()
    document: dict[str, Any] = {
        "@context": [AS, SECURITY],
        "id": uri,
        "type": "Person" if local.user_id else "Service",
        "preferredUsername": local.username,
        # The site's actor is named as its pages are; an author's, below, as the author is.
        "name": site.shown_title,
        "summary": f"<p>{escape(site.tagline)}</p>" if site.tagline else "",
        "url": settings.SITE_URL + "/",
        "inbox": absolute(reverse("federation:inbox", args=[local.username])),
        "outbox": absolute(reverse("federation:outbox", args=[local.username])),
        "followers": followers_uri(local.username),
        "endpoints": {"sharedInbox": absolute(reverse("federation:shared_inbox"))},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": local.public_key_pem},
    }
    if local.user is not None:
        profile = getattr(local.user, "profile", None)
        document["name"] = local.user.display_name
        document["url"] = absolute(reverse("publishing:author", args=[local.user.username]))
        if profile is not None:
            document["summary"] = profile.bio_html
            icon = profile.avatar_url
            document["icon"] = {"type": "Image", "url": icon if "://" in icon else absolute(icon)}
            if profile.header:
                header = str(profile.header.url)
                document["image"] = {
                    "type": "Image",
                    "url": header if "://" in header else absolute(header),
                }
    return document


def article(post: Post, *, author: str) -> dict[str, Any]:
    """An essay as an Article: its full HTML with its footnotes and references. Its texts are
    also given as maps keyed by the post's language (`contentMap` …), so that servers show the
    essay's language beside it and readers' clients can offer to translate it."""
    content = post.body_html + post.footnotes_html + post.bibliography_html
    document: dict[str, Any] = {
        "id": article_uri(post.pk),
        "type": "Article",
        "attributedTo": actor_uri(author),
        "name": post.title,
        "nameMap": {post.language: post.title},
        "summary": post.excerpt_html or None,
        "summaryMap": {post.language: post.excerpt_html} if post.excerpt_html else None,
        "content": content,
        "contentMap": {post.language: content},
        "mediaType": "text/html",
        "url": absolute(post.get_absolute_url()),
        "published": post.published_at.isoformat() if post.published_at else None,
        "updated": post.modified_at.isoformat() if post.version > 1 else None,
        "to": [PUBLIC],
        "cc": [followers_uri(author)],
        "tag": [
            {"type": "Hashtag", "name": f"#{tag.name}", "href": absolute(tag.get_absolute_url())}
            for tag in post.tags.all()
        ],
        "attachment": _attachments(post),
    }
    return {name: value for name, value in document.items() if value is not None}


def _attachments(post: Post) -> list[dict[str, Any]]:
    if not post.featured_image:
        return []
    image = post.featured_image if "://" in post.featured_image else absolute(post.featured_image)
    return [{"type": "Image", "url": image, "name": post.title}]


def note(comment: Comment, *, author: str, in_reply_to: str, to: list[str]) -> dict[str, Any]:
    """A comment written here (an author's answer) as a Note."""
    return {
        "id": note_uri(comment.pk),
        "type": "Note",
        "attributedTo": actor_uri(author),
        "inReplyTo": in_reply_to,
        "content": comment.body_html,
        # An answer on an essay is taken to be in the essay's language (a comment has none).
        "contentMap": {comment.post.language: comment.body_html},
        "url": absolute(comment.post.get_absolute_url()) + f"#comment-{comment.pk}",
        "published": comment.created_at.isoformat(),
        "to": to,
        "cc": [PUBLIC],
    }


def activity(kind: str, *, actor: str, token: str, obj: Any, to: list[str],
             cc: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "@context": AS,
        "id": absolute(reverse("federation:activity", args=[token])),
        "type": kind,
        "actor": actor,
        "object": obj,
        "to": to,
        "cc": cc or [],
    }


def webfinger(username: str) -> dict[str, Any]:
    uri = actor_uri(username)
    return {
        "subject": f"acct:{username}@{host()}",
        "aliases": [uri],
        "links": [
            {"rel": "self", "type": CONTENT_TYPE, "href": uri},
        ],
    }


def nodeinfo(*, users: int, posts: int) -> dict[str, Any]:
    try:
        running = version("broadsheet")
    except PackageNotFoundError:
        running = "unknown"
    return {
        "version": "2.1",
        "software": {
            "name": "broadsheet",
            "version": running,
            "homepage": "https://github.com/broadsheet",
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": False,
        "usage": {"users": {"total": users}, "localPosts": posts},
        "metadata": {"nodeName": SiteSettings.current().shown_title},
    }
