"""Webmentions in the personal-data export and erasure (accounts.privacy, which sits below:
registered in WebmentionConfig.ready).

A mention carries no email address: it names its writer by their web pages (the source, the
h-card's address and photo). So a person's mentions are those whose source or author address
lies under the website on their account's profile (decision 0103); a guest, known only by an
email address, has none. Erasure keeps the mention and its words (the source is public, and
the specification has us follow it when it changes or goes) and drops who wrote it: the
comment's name becomes "Anonymous", its address and the photo's go.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q

from broadsheet.accounts.privacy import PersonalDataKeeper, personal_data_register
from broadsheet.core import effects
from broadsheet.webmention.models import Mention


def _under(address: str, site: str) -> bool:
    """Whether `address` is `site` or a page under it (scheme aside; host in any case)."""
    a, s = urlsplit(address), urlsplit(site)
    if not a.hostname or a.hostname != s.hostname or (a.port != s.port):
        return False
    path = s.path.rstrip("/")
    return a.path == path or a.path.startswith(path + "/") or (not path and not a.path)


def _theirs(user: Any) -> list[Mention]:
    profile = getattr(user, "profile", None) if user is not None else None
    site = (getattr(profile, "website", "") or "").strip()
    host = urlsplit(site).hostname if site.startswith(("http://", "https://")) else None
    if not host:
        return []
    candidates = Mention.objects.filter(
        Q(source__icontains=host) | Q(comment__author_url__icontains=host)
    ).select_related("post", "comment")
    return [
        m for m in candidates.order_by("received_at", "pk")
        if _under(m.source, site) or (m.comment is not None and _under(m.comment.author_url, site))
    ]  # fmt: skip


def _export(addresses: list[str], user: Any) -> list[dict[str, Any]]:
    return [
        {
            "source": mention.source,
            "target": mention.target,
            "post": {
                "title": mention.post.title,
                "url": f"{settings.SITE_URL}{mention.post.get_absolute_url()}",
            },
            "kind": mention.kind,
            "status": mention.status,
            "received": mention.received_at.isoformat(),
            "author_name": mention.comment.author_name if mention.comment else "",
            "author_url": mention.comment.author_url if mention.comment else "",
            "author_photo": mention.author_photo,
            "text": mention.comment.body if mention.comment else "",
        }
        for mention in _theirs(user)
    ]


def _erase(addresses: list[str], user: Any) -> int:
    rows = _theirs(user)
    for mention in rows:
        mention.author_photo = ""
        mention.save(update_fields=["author_photo"])
        if mention.comment is not None:
            comment = mention.comment
            comment.author_name, comment.author_url = "Anonymous", ""
            comment.save(update_fields=["author_name", "author_url"])
    if rows:  # names and faces under the essays
        effects.pages(posts={m.post_id for m in rows}, listings=True)
        effects.search(comments=[m.comment_id for m in rows if m.comment_id])
    return len(rows)


def register() -> None:
    personal_data_register("webmentions", PersonalDataKeeper(export=_export, erase=_erase))
