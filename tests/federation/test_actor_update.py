"""An author's profile edited on the site reaches their followers' servers as an Update of
their actor (decision 0128), and the site's title and tagline the site's followers (decision
0137): the document the actor's address serves, sent once per change, and nothing at all for
an actor no one follows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult
from PIL import Image

from broadsheet.core.models import SiteSettings
from broadsheet.core.services import settings_save
from broadsheet.federation.models import Outgoing
from broadsheet.federation.services import author_actor, site_actor
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


def _retitle(title: str, tagline: str) -> None:
    site = SiteSettings.current()
    site.title, site.tagline = title, tagline
    settings_save(settings=site)


def test_the_sites_title_and_tagline_reach_the_sites_followers(federating: str, peer: Peer) -> None:
    """Settings → General names the site's actor as it names the pages (decision 0137)."""
    actor_id = peer.follow(federating, "site")
    run_worker()
    _retitle("The Harbour Review", "Essays on <ports> & tides")
    assert "federate_actor" in run_worker()
    update = peer.inbox_items[-1]
    assert update["type"] == "Update" and update["actor"] == actor_id
    service = update["object"]
    assert service == peer.fetch(actor_id)  # the document its address serves
    assert service["type"] == "Service" and service["name"] == "The Harbour Review"
    assert service["summary"] == "<p>Essays on &lt;ports&gt; &amp; tides</p>"
    nodeinfo = Client().get("/nodeinfo/2.1").json()
    assert nodeinfo["metadata"]["nodeName"] == "The Harbour Review"

    _retitle("The Harbour Review", "Essays on <ports> & tides")  # saved as it is
    run_worker()
    _retitle("Harbour Review", "")
    run_worker()
    assert [item["type"] for item in peer.inbox_items] == ["Accept", "Update", "Update"]
    assert peer.inbox_items[-1]["object"]["name"] == "Harbour Review"
    assert peer.inbox_items[-1]["object"]["summary"] == ""
    assert peer.refused == []


def test_a_new_site_title_without_followers_of_the_site_queues_nothing(federating: str) -> None:
    site_actor()  # the actor exists, with its keys: only no one follows it
    _retitle("Nobody Follows", "")
    assert not DBTaskResult.objects.filter(task_path__endswith="federate_actor").exists()
