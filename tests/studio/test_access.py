"""Who gets into the studio: writers in; guests to sign-in; Subscribers refused."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.publishing.models import Post
from tests.factories import PostFactory, role_member

pytestmark = pytest.mark.django_db

WRITERS = ["Contributor", "Author", "Editor", "Administrator"]


@pytest.mark.parametrize("role", WRITERS)
def test_writers_open_the_studio(client: Client, role: str) -> None:
    client.force_login(role_member(role, f"w-{role.lower()}"))
    response = client.get("/studio/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert b'aria-label="Studio"' in response.content


def test_a_guest_is_sent_to_sign_in_and_back(client: Client) -> None:
    response = client.get("/studio/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/studio/" in response["Location"]


def test_a_subscriber_is_refused(client: Client) -> None:
    client.force_login(role_member("Subscriber", "reader"))
    assert client.get("/studio/").status_code == 403


def test_the_header_links_writers_to_the_studio_and_not_subscribers(client: Client) -> None:
    PostFactory()
    client.force_login(role_member("Contributor", "writer"))
    assert b'href="/studio/"' in client.get("/").content
    client.force_login(role_member("Subscriber", "reader"))
    assert b'href="/studio/"' not in client.get("/").content


def test_pending_review_is_never_public() -> None:
    post = PostFactory(status=Post.Status.PENDING, published_at=None)
    assert not Post.objects.public().filter(pk=post.pk).exists()
    assert not Post.objects.visible(role_member("Author", "other")).filter(pk=post.pk).exists()
    assert not post.is_public


def test_a_contributor_edits_own_drafts_and_pending_posts_until_published() -> None:
    writer = role_member("Contributor", "writer")
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, authors=[writer])
    assert post.is_editable_by(writer)
    post.status = Post.Status.PENDING
    assert post.is_editable_by(writer)
    post.status = Post.Status.PUBLISHED
    assert not post.is_editable_by(writer)
    assert not post.is_editable_by(role_member("Contributor", "another"))
