from __future__ import annotations

from typing import Any

from django.test import Client

from broadsheet.publishing.models import Post
from broadsheet.publishing.threads import thread_for_url
from tests.api.conftest import BLOG, post_json
from tests.factories import approved_comment


def test_a_thread_is_found_by_its_post_id(client: Client, essay: Post) -> None:
    approved_comment(essay)
    response = client.get(f"/api/v1/threads?post={essay.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == essay.pk and data["title"] == "On harbours"
    assert data["comment_count"] == 1 and data["comments_open"] is True
    assert data["page_url"].endswith(essay.get_absolute_url())


def test_a_page_of_an_allowed_origin_without_comments_has_no_thread_yet(
    client: Client, db: None
) -> None:
    response = client.get(f"/api/v1/threads?url={BLOG}/2026/01/hello/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_thread"


def test_the_first_comment_on_an_allowed_page_starts_its_thread(client: Client, db: None) -> None:
    response = post_json(
        client,
        "/api/v1/comments",
        {"url": f"{BLOG}/hello/?utm=x#top", "title": "Hello", "body": "First!",
         "name": "Ada", "email": "ada@example.org"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    thread = thread_for_url(f"{BLOG}/hello/")
    assert thread is not None and thread.kind == Post.Kind.THREAD
    assert thread.external_url == f"{BLOG}/hello/" and thread.title == "Hello"
    found = client.get(f"/api/v1/threads?url={BLOG}/hello/").json()
    assert found["id"] == thread.pk and found["url"] == f"{BLOG}/hello/"


def test_comments_of_a_thread_come_in_thread_order(client: Client, essay: Post) -> None:
    first = approved_comment(essay, body="First.")
    approved_comment(essay, parent=first, name="Bob Other", body="A reply.")
    approved_comment(essay, name="Cy", body="Held.", status="pending")
    response = client.get(f"/api/v1/threads/{essay.pk}/comments")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    assert [c["html"] for c in data["comments"]] == ["<p>First.</p>", "<p>A reply.</p>"]
    assert data["comments"][1]["parent"] == first.pk and data["comments"][1]["depth"] == 1
    assert data["count"] == 2 and data["page"] == 1 and data["pages"] == 1
    assert data["comments"][0]["author"]["name"] == "Ada Reader"
