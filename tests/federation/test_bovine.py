"""The journey against bovine-herd, an independent fediverse server (tests/federation/bovine.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import Commenter, comment_submit
from broadsheet.federation.models import Follower, Remote
from broadsheet.moderation.services import comment_approve
from tests.factories import AuthorFactory, PostFactory
from tests.federation.bovine import Bovine
from tests.federation.conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bovine(tmp_path: Path) -> Iterator[Bovine]:
    server = Bovine(tmp_path)
    yield server
    server.close()


def _until(check: Any, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def test_bovine_discovers_and_follows(federating: str, bovine: Bovine) -> None:
    author = AuthorFactory(username="mhale")
    PostFactory(authors=[author])
    run_worker()
    host = federating.split("://", 1)[1]
    actor_id = bovine.lookup(f"mhale@{host}")
    assert actor_id == f"{federating}/ap/users/mhale"
    bovine.send(lambda alice: alice.activity_factory.follow(actor_id).build())
    assert _until(lambda: Follower.objects.filter(remote__uri=bovine.actor_id).exists())
    run_worker()
    assert _until(lambda: any(item.get("type") == "Accept" for item in bovine.inbox()))


def _received(bovine: Bovine, kind: str, check: Any = lambda item: True) -> dict[str, Any]:
    return _until(lambda: next((item for item in bovine.inbox()
                                if item.get("type") == kind and check(item)), None))  # fmt: skip


def test_the_journey_with_bovine(federating: str, bovine: Bovine) -> None:
    """Follow, receive an essay, reply (held, then approved), receive the author's answer,
    like, edit and delete on bovine's side."""
    author = AuthorFactory(username="mhale")
    PostFactory(authors=[author])
    run_worker()
    actor_id = bovine.lookup(f"mhale@{federating.split('://', 1)[1]}")
    bovine.send(lambda alice: alice.activity_factory.follow(actor_id).build())
    assert _until(lambda: Follower.objects.exists())
    run_worker()

    essay = PostFactory(title="On tides", authors=[author], body="Moon.[^1]\n\n[^1]: Almanac.")
    run_worker()
    create = _received(bovine, "Create")
    article = (
        create["object"] if isinstance(create["object"], dict) else bovine.get(create["object"])
    )
    assert article["type"] == "Article" and article["name"] == "On tides"

    location = bovine.send(lambda alice: alice.activity_factory.create(
        alice.object_factory.reply(article, content="<p>Lovely essay</p>").build()).build())  # fmt: skip
    assert _until(lambda: Comment.objects.filter(kind=Comment.Kind.FEDIVERSE).exists())
    reply = Comment.objects.get(kind=Comment.Kind.FEDIVERSE)
    assert reply.status == Comment.Status.PENDING and reply.post_id == essay.pk
    comment_approve(comment=reply)
    assert "Lovely essay" in Client().get(essay.get_absolute_url()).content.decode()

    comment_submit(post=essay, commenter=Commenter(user=author), body="Thank you, Alice.",
                   parent_id=reply.pk)  # fmt: skip
    run_worker()
    note_id = Remote.objects.get(comment=reply).object_id
    answer = _received(bovine, "Create", lambda item: "Thank you" in str(item))
    assert note_id in str(answer)

    bovine.send(lambda alice: alice.activity_factory.like(article["id"], to={actor_id}).build())
    assert _until(lambda: Remote.objects.filter(kind="like").exists())

    note = bovine.get(note_id)
    note["content"] = "<p>Lovely essay, edited</p>"
    bovine.send(lambda alice: alice.activity_factory.update(note).build())
    assert _until(lambda: "edited" in Comment.objects.get(pk=reply.pk).body_html)
    bovine.send(lambda alice: alice.activity_factory.delete(note_id, to={actor_id}).build())
    assert _until(lambda: not Remote.objects.filter(object_id=note_id).exists())
    assert location
