"""Delivery: each server once (shared inboxes first), nothing twice after a worker stopped
half-way, a dead server retried with growing waits and given up without holding the others."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from broadsheet.federation import selectors, signatures, tasks
from broadsheet.federation.models import Delivery, Follower, RemoteActor
from broadsheet.federation.services import author_actor
from tests.factories import AuthorFactory, PostFactory
from tests.federation.conftest import run_worker
from tests.federation.peer import Peer

pytestmark = pytest.mark.django_db(transaction=True)


def _follower(actor: Any, inbox: str, shared: str = "", name: str = "u") -> None:
    remote = RemoteActor.objects.create(uri=f"{inbox}#{name}", key_id=f"{inbox}#{name}-key",
                                        public_key_pem="-", inbox=inbox, shared_inbox=shared)  # fmt: skip
    Follower.objects.create(actor=actor, remote=remote, follow_id=f"{remote.uri}#f")


def test_each_server_once_nothing_twice_after_a_stop_and_the_dead_retried(
    federating: str, monkeypatch: Any
) -> None:
    author = AuthorFactory(username="mhale")
    PostFactory(authors=[author])
    run_worker()
    actor = author_actor(author)
    peers = [Peer(f"p{number}") for number in range(3)]
    try:
        for peer in peers:  # two followers on each server share its inbox
            _follower(actor, peer.inbox, shared=peer.inbox, name="a")
            _follower(actor, f"{peer.base}/users/b/inbox", shared=peer.inbox, name="b")
        _follower(actor, "http://127.0.0.1:9/inbox", name="dead")  # nothing listens there
        PostFactory(authors=[author], title="Delivered once")
        tasks.CHUNK = 1
        calls: list[int] = []
        claim = selectors.deliveries_claim

        def stopping(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            if len(calls) > 2:
                raise KeyboardInterrupt("the worker stops")
            return claim(*args, **kwargs)

        monkeypatch.setattr(selectors, "deliveries_claim", stopping)
        with pytest.raises(KeyboardInterrupt):
            run_worker()
        monkeypatch.setattr(selectors, "deliveries_claim", claim)
        # The leases run out; the worker's tick finds the deliveries left due.
        Delivery.objects.filter(status="queued", attempts=0).update(
            due_at=timezone.now() - timedelta(minutes=5)
        )
        assert tasks.resume_deliveries() == 1
        run_worker()
        for peer in peers:
            assert [item["type"] for item in peer.inbox_items] == ["Create"], peer.name
            assert peer.refused == []
    finally:
        for peer in peers:
            peer.close()
        tasks.CHUNK = 500
    dead = Delivery.objects.get(inbox="http://127.0.0.1:9/inbox")
    assert dead.status == "queued" and dead.attempts == 1
    assert timedelta(seconds=50) < dead.due_at - timezone.now() < timedelta(minutes=1)
    for _ in range(tasks.ATTEMPTS - 1):
        Delivery.objects.filter(pk=dead.pk).update(due_at=timezone.now())
        tasks.deliver.call(dead.activity_id)
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.attempts == tasks.ATTEMPTS


def test_our_signatures_verify_and_digests_are_read_as_servers_write_them() -> None:
    private, public = signatures.key_pair()
    body = b'{"type": "Note"}'
    headers = signatures.sign(method="POST", url="https://b.example/inbox?x=1", key_id="k",
                              private_pem=private, body=body)  # fmt: skip
    parsed = signatures.parse(headers["Signature"])
    named = {name.lower(): value for name, value in headers.items()}
    signatures.verify(parsed, method="POST", target="/inbox?x=1", headers=named, public_pem=public)
    with pytest.raises(signatures.BadSignature):
        signatures.verify(parsed, method="POST", target="/inbox", headers=named, public_pem=public)
    value = signatures.digest(body).split("=", 1)[1]
    for header in (f"SHA-256={value}", f"sha-256={value}", f"md5=x, SHA-256={value}",
                   f"sha-256=:{value}:"):  # fmt: skip
        assert signatures.digest_matches(header, body), header
    assert not signatures.digest_matches("SHA-256=AAAA", body)
    assert not signatures.digest_matches("", body)
