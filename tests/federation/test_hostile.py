"""Deliveries that must be refused, each with a 4xx and never a 500: no or bad signatures,
replays, expired dates, a forged actor, a key on a private address, a 10 MB body, a flood."""

from __future__ import annotations

import json
from email.utils import formatdate
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from broadsheet.federation.models import Follower
from tests.factories import AuthorFactory, PostFactory
from tests.federation.peer import Peer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inbox(federating: str) -> str:
    author = AuthorFactory(username="mhale")
    PostFactory(authors=[author])
    return f"{federating}/ap/users/mhale/inbox"


def _follow(peer: Peer, inbox: str) -> tuple[bytes, dict[str, Any]]:
    activity = peer.activity("Follow", inbox.rsplit("/", 1)[0])
    return json.dumps(activity).encode(), activity


def test_unsigned_and_badly_signed_deliveries_are_refused(inbox: str, peer: Peer) -> None:
    body, _ = _follow(peer, inbox)
    assert peer.post(inbox, body, {"Content-Type": "application/activity+json"}) == 401
    headers = peer.signed_headers(inbox, body)
    assert peer.post(inbox, body + b" ", headers) == 401  # the digest no longer matches
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert peer.post(inbox, body, peer.signed_headers(inbox, body, key=stranger)) == 401
    headers["Signature"] = headers["Signature"].replace('signature="', 'signature="AAAA')
    assert peer.post(inbox, body, headers) == 401
    assert peer.post(inbox, b"not json", peer.signed_headers(inbox, b"not json")) == 400
    assert not Follower.objects.exists()


def test_replayed_and_expired_signatures_are_refused(inbox: str, peer: Peer) -> None:
    body, _ = _follow(peer, inbox)
    headers = peer.signed_headers(inbox, body)
    assert peer.post(inbox, body, headers) == 202
    assert peer.post(inbox, body, headers) == 401  # the same request again
    old = formatdate(timeval=1_700_000_000, usegmt=True)
    assert peer.post(inbox, body, peer.signed_headers(inbox, body, date=old)) == 401


def test_a_forged_actor_is_refused(inbox: str, peer: Peer) -> None:
    mallory = Peer("mallory")
    try:
        activity = peer.activity("Follow", inbox.rsplit("/", 1)[0])  # says alice...
        body = json.dumps(activity).encode()
        assert (
            mallory.post(inbox, body, mallory.signed_headers(inbox, body)) == 401
        )  # ...signed by mallory
    finally:
        mallory.close()
    assert not Follower.objects.exists()


def test_an_actor_on_a_private_address_is_refused(inbox: str, peer: Peer, settings: Any) -> None:
    settings.FEDERATION_ALLOW_PRIVATE = False
    body, _ = _follow(peer, inbox)
    assert peer.post(inbox, body, peer.signed_headers(inbox, body)) == 401


def test_a_10_mb_body_is_refused_with_413(inbox: str, peer: Peer) -> None:
    body = b'{"type": "Create", "x": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    assert peer.post(inbox, body, peer.signed_headers(inbox, body)) == 413


def test_a_flood_is_slowed_not_failed(inbox: str, peer: Peer, settings: Any) -> None:
    settings.FEDERATION_INBOX_PER_MINUTE = 20
    answers = set()
    for _ in range(40):
        body, _ = _follow(peer, inbox)
        answers.add(peer.post(inbox, body, peer.signed_headers(inbox, body)))
    assert answers == {202, 429}


def test_blocked_servers_are_refused(inbox: str, peer: Peer, settings: Any) -> None:
    from broadsheet.federation.services import remote_block

    remote_block(target="127.0.0.1")
    body, _ = _follow(peer, inbox)
    assert peer.post(inbox, body, peer.signed_headers(inbox, body)) == 403


def test_everything_is_off_unless_enabled(
    inbox: str, peer: Peer, settings: Any, client: Any
) -> None:
    settings.FEDERATION_ENABLED = False
    body, _ = _follow(peer, inbox)
    assert peer.post(inbox, body, peer.signed_headers(inbox, body)) == 404
    assert client.get("/.well-known/webfinger?resource=acct:mhale@testserver").status_code == 404


def test_signed_nonsense_is_answered_without_a_500(inbox: str, peer: Peer) -> None:
    """A verified server sending odd shapes: objects as lists, numbers, nested, HTML and
    script everywhere, addresses of ours that are not essays, ids of other people's notes."""
    from broadsheet.publishing.models import Post

    essay = Post.objects.get()
    article = inbox.replace("/ap/users/mhale/inbox", f"/ap/posts/{essay.pk}")
    script = "<script>alert(1)</script>"
    shapes: list[Any] = [
        ["Create", [1, 2]], ["Create", {"type": "Note", "inReplyTo": {"id": 5}}],
        ["Create", {"type": "Note", "id": script, "inReplyTo": article, "content": 7,
                    "url": ["x"], "published": "yesterday"}],
        ["Create", {"type": "Note", "id": f"{peer.base}/n/1", "inReplyTo": inbox, "content": script}],
        ["Create", {"type": "Note", "id": f"{peer.base}/n/2", "inReplyTo": article,
                    "attributedTo": "https://someone.else/u", "content": "x"}],
        ["Update", {"type": "Person", "id": peer.actor_id, "name": script}],
        ["Update", "just a string"], ["Delete", {"id": None}], ["Undo", {"type": "Follow", "object": [1]}],
        ["Like", {"nested": {"deeper": [article]}}], ["Announce", article * 3], ["Flag", script],
        ["Follow", f"{inbox}/../../site"],
    ]  # fmt: skip
    for kind, obj in shapes:
        assert peer.send(inbox, peer.activity(kind, obj)) in (202, 400), (kind, obj)
    assert peer.send(inbox, {"type": ["Create"], "actor": peer.actor_id}) == 400
    assert peer.send(inbox, {"type": "Create", "actor": {"id": peer.actor_id}, "object": 1}) == 202
