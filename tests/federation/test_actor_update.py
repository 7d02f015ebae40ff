"""An author's profile edited on the site reaches their followers' servers as an Update of
their actor (decision 0128): the document the actor's address serves, sent once per change,
and nothing at all for an author no one follows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult
from PIL import Image

from broadsheet.federation.models import Outgoing
from broadsheet.federation.services import author_actor
from tests.factories import AuthorFactory, PostFactory
from tests.federation.conftest import run_worker
from tests.federation.peer import Peer

pytestmark = pytest.mark.django_db(transaction=True)


def _png(size: tuple[int, int]) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "picture.png"
    return buffer


def _edit_profile(author: Any, **fields: Any) -> None:
    client = Client()
    client.force_login(author)
    data = {"display_name": "", "bio": "", "website": "", "language": "", **fields}
    assert client.post("/accounts/profile/", data).status_code == 302


def test_an_edited_profile_is_sent_to_followers_as_an_update_of_the_actor(
    federating: str, peer: Peer, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    author = AuthorFactory(username="mhale")
    PostFactory(authors=[author])
    run_worker()
    actor_id = peer.follow(federating, "mhale")
    run_worker()
    assert [item["type"] for item in peer.inbox_items] == ["Accept"]

    _edit_profile(author, display_name="Margaret Hale", bio="Writes on *harbours*.",
                  avatar=_png((200, 200)), header=_png((1500, 500)))  # fmt: skip
    assert "federate_actor" in run_worker()
    update = peer.inbox_items[-1]
    assert update["type"] == "Update" and update["actor"] == actor_id
    assert update["object"] == peer.fetch(actor_id)  # the document its address serves
    person = update["object"]
    assert person["type"] == "Person" and person["name"] == "Margaret Hale"
    assert "<em>harbours</em>" in person["summary"]
    assert person["icon"]["url"].startswith(f"{federating}/media/avatars/{author.pk}.")
    assert person["image"]["url"].startswith(f"{federating}/media/headers/{author.pk}.")
    assert peer.refused == []

    # Saved again as it is: the followers have this document already.
    _edit_profile(author, display_name="Margaret Hale", bio="Writes on *harbours*.")
    assert "federate_actor" in run_worker()
    assert len(peer.inbox_items) == 2
    _edit_profile(author, display_name="M. Hale", bio="Writes on *harbours*.")
    run_worker()
    assert [item["type"] for item in peer.inbox_items] == ["Accept", "Update", "Update"]
    assert peer.inbox_items[-1]["object"]["name"] == "M. Hale"


def test_a_profile_edit_without_followers_queues_nothing(federating: str) -> None:
    author = AuthorFactory(username="alone")
    PostFactory(authors=[author])
    run_worker()
    author_actor(author)  # an actor already, with its keys: only no one follows it
    reader = AuthorFactory(username="reader")  # never published: no actor at all
    before = Outgoing.objects.count()
    _edit_profile(author, display_name="Alone Still", bio="Nobody reads this yet.")
    _edit_profile(reader, display_name="Rea Der")
    assert not DBTaskResult.objects.filter(task_path__endswith="federate_actor").exists()
    assert run_worker() == []
    assert Outgoing.objects.count() == before
