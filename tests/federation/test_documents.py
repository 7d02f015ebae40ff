"""Discovery and documents: WebFinger, NodeInfo, the actor, the essay's Link header and
<link rel="alternate">, content negotiation on the essay's address (kept apart in the cache),
the paginated outbox; and nothing of it while federation is off."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import AuthorFactory, PostFactory

pytestmark = pytest.mark.django_db
AP = "application/activity+json"


@pytest.fixture
def on(settings: Any) -> None:
    settings.FEDERATION_ENABLED = True
    settings.SITE_URL = "http://testserver"


def test_an_author_is_found_by_webfinger_and_described_by_their_actor(
    on: None, client: Client
) -> None:
    author = AuthorFactory(username="mhale")
    author.profile.bio = "Writes *about* <script>x</script> harbours."
    author.profile.save()
    PostFactory(authors=[author])
    found = client.get("/.well-known/webfinger?resource=acct:mhale@testserver").json()
    assert found["links"][0]["href"] == "http://testserver/ap/users/mhale"
    actor = client.get("/ap/users/mhale", HTTP_ACCEPT=AP)
    assert actor["Content-Type"] == AP
    document = actor.json()
    assert "<em>about</em>" in document["summary"] and "<script>" not in document["summary"]
    assert document["url"] == "http://testserver/author/mhale/"
    assert document["endpoints"]["sharedInbox"] == "http://testserver/ap/inbox"
    assert document["icon"]["url"].startswith("http://testserver/")
    assert "image" not in document  # no header image uploaded
    assert client.get("/ap/users/mhale/followers").json()["totalItems"] == 0
    assert client.get("/.well-known/webfinger?resource=acct:nobody@testserver").status_code == 404


def test_an_authors_header_image_is_the_actors_image(
    on: None, client: Client, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path / "media"
    author = AuthorFactory(username="wide")
    author.profile.header.save("h.png", ContentFile(b"\x89PNG stored as uploaded"), save=True)
    PostFactory(authors=[author])
    document = client.get("/ap/users/wide", HTTP_ACCEPT=AP).json()
    assert document["image"] == {
        "type": "Image",
        "url": f"http://testserver/media/headers/{author.pk}.png",
    }


def test_readers_who_never_published_are_not_actors(on: None, client: Client) -> None:
    AuthorFactory(username="reader")
    assert client.get("/ap/users/reader").status_code == 404


def test_nodeinfo(on: None, client: Client) -> None:
    links = client.get("/.well-known/nodeinfo").json()["links"]
    document = client.get(links[0]["href"].replace("http://testserver", "")).json()
    assert document["version"] == "2.1" and document["protocols"] == ["activitypub"]


def test_an_essay_names_its_article_and_answers_with_it_when_asked(
    on: None, client: Client, settings: Any
) -> None:
    settings.PAGE_CACHE = True
    essay = PostFactory(title="On <harbours>", tags=[])
    page = client.get(essay.get_absolute_url())
    assert (
        f'<link rel="alternate" type="{AP}" href="http://testserver/ap/posts/{essay.pk}">'
        in page.content.decode()
    )
    assert 'rel="alternate"; type="application/activity+json"' in page["Link"]
    as_json = client.get(essay.get_absolute_url(), HTTP_ACCEPT=AP)
    assert as_json["Content-Type"] == AP and as_json.json()["name"] == "On <harbours>"
    again = client.get(essay.get_absolute_url())  # the cached page is still the page
    assert again["Content-Type"].startswith("text/html")


def test_the_outbox_is_paginated(on: None, client: Client) -> None:
    author = AuthorFactory(username="mhale")
    from broadsheet.federation.services import author_actor

    for _ in range(3):
        PostFactory(authors=[author])
    from broadsheet.federation.services import activity_queue

    actor = author_actor(author)
    for number in range(25):
        activity_queue(actor=actor, kind="Create", obj={"id": f"x{number}"}, to=[], inboxes=[])
    outbox = client.get("/ap/users/mhale/outbox").json()
    assert outbox["totalItems"] == 25
    first = client.get("/ap/users/mhale/outbox?page=1").json()
    assert len(first["orderedItems"]) == 20 and first["next"].endswith("page=2")
    assert client.get("/ap/users/mhale/outbox?page=99").status_code == 404


def test_nothing_is_served_or_added_while_off(client: Client) -> None:
    essay = PostFactory()
    assert client.get("/.well-known/webfinger?resource=acct:site@testserver").status_code == 404
    assert client.get("/ap/users/site").status_code == 404
    page = client.get(essay.get_absolute_url())
    assert "activity+json" not in page.content.decode()
    assert client.get(essay.get_absolute_url(), HTTP_ACCEPT=AP)["Content-Type"].startswith(
        "text/html"
    )


@pytest.mark.parametrize("enabled", [False, True])
def test_the_post_page_costs_the_same_queries_on_and_off(
    client: Client, settings: Any, django_assert_num_queries: Any, enabled: bool
) -> None:
    """The pinned count of tests/publishing/test_views.py, with federation on and off: the
    Link header and <link> cost no query; content negotiation none for a browser's Accept."""
    settings.FEDERATION_ENABLED = enabled
    essay = PostFactory()
    client.get(essay.get_absolute_url())
    with django_assert_num_queries(8):
        assert client.get(essay.get_absolute_url(), HTTP_ACCEPT="text/html").status_code == 200


def test_the_cached_page_stays_cached_with_federation_on(
    on: None, client: Client, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.PAGE_CACHE = True
    essay = PostFactory()
    client.get(essay.get_absolute_url())
    client.get(essay.get_absolute_url(), HTTP_ACCEPT=AP)
    with django_assert_num_queries(0):
        assert client.get(essay.get_absolute_url()).status_code == 200
        as_json = client.get(essay.get_absolute_url(), HTTP_ACCEPT=AP)
    assert as_json["Content-Type"] == AP


def test_the_writer_sees_their_followers_in_the_studio(on: None, client: Client) -> None:
    from broadsheet.federation.models import Follower, RemoteActor
    from broadsheet.federation.services import author_actor
    from tests.factories import role_member

    author = role_member("Author", "mhale")
    PostFactory(authors=[author])
    remote = RemoteActor.objects.create(uri="https://fedi.example/u/ann", key_id="k",
                                        public_key_pem="-", inbox="https://fedi.example/i",
                                        name="Ann <b>F</b>", url="https://fedi.example/@ann")  # fmt: skip
    Follower.objects.create(actor=author_actor(author), remote=remote, follow_id="f")
    client.force_login(author)
    page = client.get("/studio/followers/").content.decode()
    assert "Ann &lt;b&gt;F&lt;/b&gt;" in page and 'href="https://fedi.example/@ann"' in page
    client.force_login(role_member("Author", "other"))
    assert "Ann" not in client.get("/studio/followers/").content.decode()


def test_an_article_carries_its_texts_keyed_by_the_essays_language(
    on: None, client: Client
) -> None:
    """contentMap, summaryMap and nameMap beside content, summary and name (decision 0107): a
    German essay on an English site says so, whatever the site's language."""
    essay = PostFactory(title="Über Häfen", excerpt="Ein *kurzer* Blick.", language="de")
    document = client.get(f"/ap/posts/{essay.pk}", HTTP_ACCEPT=AP).json()
    assert document["contentMap"] == {"de": document["content"]}
    assert document["summaryMap"] == {"de": document["summary"]}
    assert "Ein <em>kurzer</em> Blick." in document["summary"]
    assert document["nameMap"] == {"de": "Über Häfen"}
    assert document["name"] == "Über Häfen"
    plain = PostFactory(language="es-MX")
    assert set(client.get(f"/ap/posts/{plain.pk}").json()["contentMap"]) == {"es-MX"}


def test_an_answer_is_a_note_in_its_essays_language() -> None:
    from broadsheet.discussion.models import Comment
    from broadsheet.federation import documents

    essay = PostFactory(language="ar")
    comment = Comment.objects.create(post=essay, body="شكرا", body_html="<p>شكرا</p>")
    note = documents.note(comment, author="mhale", in_reply_to="https://elsewhere/1", to=[])
    assert note["content"] == "<p>شكرا</p>" and note["contentMap"] == {"ar": "<p>شكرا</p>"}
