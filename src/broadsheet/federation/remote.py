"""Reading other servers: their actors (for a key, an inbox, a name), fetched with the safe
fetcher (public addresses only, a deadline and a size cap) and signed with the site's key, so
servers in "authorized fetch" mode answer too."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from broadsheet.core import safefetch
from broadsheet.core.safefetch import FetchRefused
from broadsheet.federation import signatures
from broadsheet.federation.models import Block, RemoteActor

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
REFRESH_AFTER_DAYS = 2


def limits() -> safefetch.Limits:
    return safefetch.Limits(
        max_bytes=settings.FEDERATION_MAX_KB * 1024,
        timeout=float(settings.FEDERATION_TIMEOUT),
        allow_local=settings.FEDERATION_ALLOW_PRIVATE,
        setting="FEDERATION_TIMEOUT",
        size_setting="FEDERATION_MAX_KB",
    )


def agent() -> str:
    return f"Broadsheet ActivityPub (+{settings.SITE_URL})"


def is_blocked(uri: str) -> bool:
    """The actor (its id) or its server is blocked, by a moderator or the setting."""
    host = (urlsplit(uri).hostname or "").lower()
    named = {entry.lower() for entry in settings.FEDERATION_BLOCKED}
    if host in named or uri.lower() in named or any(host.endswith("." + n) for n in named):
        return True
    return Block.objects.filter(target__in=[host, uri]).exists()


def fetch_json(url: str) -> dict[str, Any]:
    """A document from another server, as JSON (signed GET); raises FetchRefused."""
    from broadsheet.federation.services import site_actor

    local = site_actor()
    from broadsheet.federation.documents import actor_uri

    headers = {"Accept": ACCEPT, "User-Agent": agent(), "Accept-Encoding": "identity"}
    headers |= signatures.sign(
        method="GET", url=url, key_id=f"{actor_uri(local.username)}#main-key",
        private_pem=local.private_key_pem,
    )  # fmt: skip
    answer = safefetch.fetch(url, limits=limits(), headers=headers)
    if answer.status != 200:
        raise FetchRefused(f"the server answered {answer.status}")
    try:
        found = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        raise FetchRefused("the answer is not JSON") from None
    if not isinstance(found, dict):
        raise FetchRefused("the answer is not a JSON object")
    return found


def actor_for_key(key_id: str, *, refresh: bool = False) -> RemoteActor:
    """The actor whose key this is (stored, or fetched and stored)."""
    known = RemoteActor.objects.filter(key_id=key_id).first()
    fresh = known is not None and (timezone.now() - known.fetched_at).days < REFRESH_AFTER_DAYS
    if known is not None and fresh and not refresh:
        return known
    try:
        document = fetch_json(key_id.split("#", 1)[0])
    except FetchRefused:
        if known is not None and not refresh:  # gone (a deleted account signs its Delete)
            return known
        raise
    if document.get("type") in ("Key", "CryptographicKey") and isinstance(
        document.get("owner"), str
    ):
        document = fetch_json(document["owner"])  # the key's own document names its owner
    return store(document, key_id=key_id)


def actor_by_id(uri: str) -> RemoteActor:
    known = RemoteActor.objects.filter(uri=uri).first()
    if known is not None:
        return known
    return store(fetch_json(uri))


def store(document: dict[str, Any], *, key_id: str | None = None) -> RemoteActor:
    from broadsheet.federation.services import remote_actor_store

    uri = _text(document.get("id"))
    key = document.get("publicKey")
    key = key[0] if isinstance(key, list) and key else key
    if not uri or not isinstance(key, dict) or _text(key.get("owner")) != uri:
        raise FetchRefused("the document is not an actor whose key it owns")
    if key_id is not None and _text(key.get("id")) != key_id:
        raise FetchRefused("the actor does not own the key that signed")
    found = document.get("endpoints")
    endpoints: dict[str, Any] = found if isinstance(found, dict) else {}
    icon = document.get("icon")
    fields = {
        "key_id": _text(key.get("id")),
        "public_key_pem": _text(key.get("publicKeyPem"), 10_000),
        "inbox": _web(document.get("inbox")),
        "shared_inbox": _web(endpoints.get("sharedInbox")),
        "name": _text(document.get("name"), 200) or _text(document.get("preferredUsername"), 200),
        "username": _text(document.get("preferredUsername"), 200),
        "url": _web(document.get("url")) or uri,
        "icon": _web(icon.get("url")) if isinstance(icon, dict) else "",
    }
    if not fields["inbox"] or not fields["public_key_pem"]:
        raise FetchRefused("the actor has no inbox or no key")
    return remote_actor_store(uri=uri, fields=fields)


def _text(value: Any, limit: int = 500) -> str:
    return value.replace("\x00", "")[:limit] if isinstance(value, str) else ""


def _web(value: Any) -> str:
    text = _text(value)
    return text if urlsplit(text).scheme in ("http", "https") and len(value) <= 500 else ""
