"""What an inbox checks before it believes a delivery: its size, its HTTP Signature (the key
fetched safely from the signer's server), its digest and date, that it is not a replay, that
the signer is the activity's actor, and that neither is blocked. Each refusal is a status and
a sentence; nothing here answers 500."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from broadsheet.core.safefetch import FetchRefused
from broadsheet.federation import remote, services, signatures
from broadsheet.federation.models import RemoteActor

DATE_WINDOW = 300  # seconds either side of our clock a signed Date may be


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Delivered:
    activity: dict[str, Any]
    actor: RemoteActor


def body_of(request: HttpRequest) -> bytes:
    """The body, at most FEDERATION_MAX_KB (413 beyond: declared or streamed)."""
    limit = settings.FEDERATION_MAX_KB * 1024
    declared = request.META.get("CONTENT_LENGTH") or "0"
    too_big = Refused(413, f"The activity is larger than {settings.FEDERATION_MAX_KB} KB.")
    if not declared.isdigit() or int(declared) > limit:
        raise too_big
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_big
    return body


def checked(request: HttpRequest, body: bytes) -> Delivered:
    activity = _json(body)
    parsed = _signature(request, body)
    actor_id = activity.get("actor")
    actor_id = actor_id.get("id") if isinstance(actor_id, dict) else actor_id
    if not isinstance(actor_id, str) or not actor_id:
        raise Refused(400, "The activity names no actor.")
    if remote.is_blocked(actor_id) or remote.is_blocked(parsed.key_id):
        raise Refused(403, "This server does not accept activities from you.")
    _not_flooding(parsed.key_id)
    signer = _verified(request, parsed)
    if signer.uri != actor_id:
        raise Refused(401, "The activity's actor is not the owner of the key that signed it.")
    if not services.signature_remember(digest=hashlib.sha256(parsed.raw.encode()).hexdigest()):
        raise Refused(401, "This signature was already used: a replay is refused.")
    return Delivered(activity=activity, actor=signer)


def _json(body: bytes) -> dict[str, Any]:
    try:
        activity = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Refused(400, "The body is not JSON.") from None
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        raise Refused(400, "The body is not an activity.")
    return activity


def _signature(request: HttpRequest, body: bytes) -> signatures.Parsed:
    try:
        parsed = signatures.parse(request.headers.get("Signature", ""))
    except signatures.BadSignature as why:
        raise Refused(401, str(why)) from None
    if not signatures.date_within(request.headers.get("Date", ""), seconds=DATE_WINDOW):
        raise Refused(401, "The signed Date is missing or too far from now.")
    given = request.headers.get("Digest") or request.headers.get("Content-Digest") or ""
    if not signatures.digest_matches(given, body):
        raise Refused(401, "The Digest does not match the body.")
    return parsed


def _not_flooding(key_id: str, *, scope: str = "fed-inbox:", limit: int | None = None) -> None:
    """At most FEDERATION_INBOX_PER_MINUTE deliveries a minute from one server; as many
    fetches of keys not seen before, from all servers together (each costs a request out)."""
    from urllib.parse import urlsplit

    key = scope + hashlib.sha256((urlsplit(key_id).hostname or "").encode()).hexdigest()
    cache.add(key, 0, timeout=60)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    if count > (limit or settings.FEDERATION_INBOX_PER_MINUTE):
        raise Refused(429, "Too many deliveries this minute; try again later.")


def _verified(request: HttpRequest, parsed: signatures.Parsed) -> RemoteActor:
    headers = {name.lower(): value for name, value in request.headers.items()}
    target = request.get_full_path()
    known = RemoteActor.objects.filter(key_id=parsed.key_id).exists()
    if not known:
        _not_flooding("", scope="fed-keys:", limit=settings.FEDERATION_INBOX_PER_MINUTE)
    for refresh in (False, True):  # a stored key that fails may have been replaced
        try:
            signer = remote.actor_for_key(parsed.key_id, refresh=refresh)
        except FetchRefused as why:
            raise Refused(401, f"The signer's key could not be fetched: {why}.") from None
        try:
            signatures.verify(parsed, method=request.method or "POST", target=target,
                              headers=headers, public_pem=signer.public_key_pem)  # fmt: skip
            return signer
        except signatures.BadSignature as why:
            failure = why
    raise Refused(401, str(failure))
