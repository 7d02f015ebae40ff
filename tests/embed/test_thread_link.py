"""The no-JavaScript link: /embed/thread/?url= leads to the page's thread on the site."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.publishing.models import Post
from broadsheet.publishing.threads import thread_for_url
from tests.hostile_input import NASTY

pytestmark = pytest.mark.django_db

BLOG = "https://blog.example.org"
PAGE = f"{BLOG}/2026/hello/"


@pytest.fixture(autouse=True)
def _allowed(settings: Any) -> None:
    settings.EMBED_ALLOWED_ORIGINS = [BLOG]


def test_a_page_with_a_thread_leads_to_it(client: Any) -> None:
    post = thread_for_url(PAGE, title="Hello", create=True)
    assert post is not None
    response = client.get("/embed/thread/", {"url": PAGE})
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()


def test_a_page_without_one_says_so_and_starts_none(client: Any) -> None:
    response = client.get("/embed/thread/", {"url": PAGE})
    assert response.status_code == 404
    assert "No one has commented on this page yet." in response.content.decode()
    assert f'href="{PAGE}"' in response.content.decode()
    assert not Post.objects.filter(kind=Post.Kind.THREAD).exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://evil.example.org/x", *NASTY])
def test_any_other_address_is_never_linked_and_never_a_500(client: Any, url: str) -> None:
    response = client.get("/embed/thread/", {"url": url})
    assert response.status_code in (302, 400, 404)
    if response.status_code == 404:
        assert "javascript:" not in response.content.decode().split("<main", 1)[-1]
        assert "evil.example.org" not in response.content.decode()
