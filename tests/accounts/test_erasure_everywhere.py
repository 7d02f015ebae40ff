"""Erasure reaches every place a reader could still meet the person: cached post pages, the
comment feeds, the JSON-LD block, search, the stored comment cards, the purge hook of a cache
in front, and the uploaded photo. Guests and account holders, keeping the text or removing it.

The page cache is ON and every page is stored before the erasure: what the cache serves
afterwards is what a reader would get.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django_tasks_db.models import DBTaskResult

from broadsheet.accounts.models import Profile, User
from broadsheet.accounts.privacy import personal_data_erase
from broadsheet.core.identicon import identicon_key
from broadsheet.core.tasks import purge_shared_caches
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment

# Page versions move after the commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

NAME, EMAIL, WEBSITE = "Quillon Marsh-Avery", "q.marsh@example.org", "https://quillon-avery.example"
# One pixel of PNG: enough for an uploaded photo with an address of its own.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1a4ce0000000049454e44ae426082"
)


@dataclass
class Person:
    user: User | None
    post: Post
    comments: list[Comment]
    traces: list[str]  # every string that would give the person away


@pytest.fixture(autouse=True)
def _page_cache_on(settings: Any, tmp_path: Any) -> None:
    settings.PAGE_CACHE = True
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def purges(settings: Any) -> Iterator[list[list[str]]]:
    """A cache in front of the site that accepts purges (as a CDN's purge API would)."""
    received: list[list[str]] = []

    class Purge(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length))["tags"])
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Purge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PAGE_PURGE_URL = f"http://127.0.0.1:{server.server_port}/purge"
    try:
        yield received
    finally:
        server.shutdown()


def _traces(email: str, *extra: str) -> list[str]:
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    return [NAME, email, WEBSITE, "quillon-avery", identicon_key(email), digest, *extra]


def _guest(post: Post) -> Person:
    first = approved_comment(post, name=NAME, author_email=EMAIL, author_url=WEBSITE)
    reply = approved_comment(post, parent=first, name="Bob Other", body="I disagree.")
    mine = approved_comment(
        post, parent=reply, name=NAME, author_email=EMAIL.upper(), author_url=WEBSITE
    )
    return Person(None, post, [first, mine], _traces(EMAIL))


def _account(post: Post) -> Person:
    user = User.objects.create_user("quillon", EMAIL, "a long pass phrase 42")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    profile = Profile.objects.get(user=user)
    profile.display_name, profile.website = NAME, WEBSITE
    profile.avatar.save("me.png", ContentFile(PNG), save=False)
    profile.header.save("wide.png", ContentFile(PNG), save=False)
    profile.save()
    first = approved_comment(post, name=NAME, user=user, author_email=EMAIL, author_url=WEBSITE)
    approved_comment(post, parent=first, name="Bob Other", body="I disagree.")
    alone = approved_comment(post, name=NAME, user=user, author_email=EMAIL, body="Alone here.")
    avatar = profile.avatar.url
    return Person(user, post, [first, alone], _traces(EMAIL, avatar, "/people/quillon/"))


def _pages(person: Person) -> list[str]:
    post_url = person.post.get_absolute_url()
    pages = [
        post_url,
        f"{post_url}feed/",
        "/comments/feed/",
        "/",
        "/feed/",
        f"/?s={NAME.split()[0]}&comments=1",
        f"/?s={NAME.split()[1].split('-')[0]}&comments=1",
    ]
    if person.user is not None:
        pages.append("/people/quillon/")
    return pages


def _json_ld(html: str) -> str:
    return " ".join(re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S))


@pytest.fixture(params=["guest", "account"])
def person(request: pytest.FixtureRequest) -> Person:
    post = PostFactory(title="On harbours and their keepers")
    made = _guest(post) if request.param == "guest" else _account(post)
    # The index learns of comments written straight to the database by a rebuild.
    from broadsheet.search.services import search_index_rebuild

    search_index_rebuild()
    return made


@pytest.mark.parametrize("remove_text", [False, True], ids=["keep-anonymised", "remove"])
def test_erasure_leaves_the_person_on_no_page_feed_search_or_card(
    person: Person, remove_text: bool, purges: list[list[str]]
) -> None:
    client = Client()
    pages = _pages(person)
    for url in pages:
        client.get(url)  # stored
    post_page = client.get(pages[0])
    assert post_page["X-Page-Cache"] == "hit"
    html = post_page.content.decode()
    assert NAME in html and NAME in _json_ld(html), "the test must see the name first"
    assert NAME in client.get("/comments/feed/").content.decode()
    assert NAME in client.get(pages[5]).content.decode()
    DBTaskResult.objects.all().delete()

    personal_data_erase(email=EMAIL, user=person.user, remove_text=remove_text)

    for url in pages:
        response = client.get(url)
        body = response.content.decode()
        for trace in person.traces:
            assert trace not in body, f"{trace!r} is still on {url}"
        if url == pages[0]:
            assert "Bob Other" in body  # the others' words stay
            for trace in person.traces:
                assert trace not in _json_ld(body)
    for comment in Comment.objects.filter(post=person.post):
        for trace in person.traces:
            assert trace not in comment.card_html
            assert trace not in comment.author_name + comment.author_email + comment.author_url
    # The cache in front is told to drop the post's pages and the listings.
    queued = [
        tags
        for result in DBTaskResult.objects.filter(task_path__endswith="purge_shared_caches")
        for tags in result.args_kwargs["args"]
    ]
    assert any({f"post-{person.post.pk}", "listings"} <= set(tags) for tags in queued), queued
    for tags in queued:
        assert purge_shared_caches.call(tags) == 202
    assert queued == purges
    if person.user is not None:  # the uploaded pictures are gone from the media folder too
        assert not default_storage.exists(f"avatars/{person.user.pk}.png")
        assert not default_storage.exists(f"headers/{person.user.pk}.png")
