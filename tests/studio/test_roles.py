"""Each role × each studio action, as WordPress's roles allow (docs/studio.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.publishing.models import Post
from tests.factories import PostFactory, role_member

pytestmark = pytest.mark.django_db

ROLES = ["Contributor", "Author", "Editor", "Administrator"]

# What each role may do: role → action → expected status code.
ALLOWED = {
    #                 list  new  page own-draft own-public other-draft other-public publish note
    "Contributor":   (200, 200, 403, 200, 403, 404, 403, 403, 403),
    "Author":        (200, 200, 403, 200, 200, 404, 403, 302, 403),
    "Editor":        (200, 200, 200, 200, 200, 200, 200, 302, 302),
    "Administrator": (200, 200, 200, 200, 200, 200, 200, 302, 302),
}  # fmt: skip
ACTIONS = ["list", "new", "page", "own-draft", "own-public", "other-draft", "other-public",
           "publish", "note"]  # fmt: skip


def _act(client: Client, action: str, posts: dict[str, Post]) -> int:
    if action == "list":
        return client.get("/studio/").status_code
    if action == "new":
        return client.get("/studio/posts/new/").status_code
    if action == "page":
        return client.get("/studio/pages/new/").status_code
    if action == "publish":
        data = {"title": "Pressed publish", "body": "x", "status": "draft", "do": "publish"}
        return client.post("/studio/posts/new/", data).status_code
    if action == "note":
        return client.post(
            f"/studio/posts/{posts['own-draft'].pk}/notes/", {"note": "Hm."}
        ).status_code
    return client.get(f"/studio/posts/{posts[action].pk}/").status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_and_action(role: str, action: str) -> None:
    user = role_member(role, "someone")
    other = role_member("Author", "other")
    draft = {"status": Post.Status.DRAFT, "published_at": None}
    posts = {
        "own-draft": PostFactory(authors=[user], **draft),
        "own-public": PostFactory(authors=[user]),
        "other-draft": PostFactory(authors=[other], **draft),
        "other-public": PostFactory(authors=[other]),
    }
    client = Client()
    client.force_login(user)
    expected = ALLOWED[role][ACTIONS.index(action)]
    assert _act(client, action, posts) == expected
    published = Post.objects.filter(title="Pressed publish", status=Post.Status.PUBLISHED)
    assert published.exists() == (action == "publish" and expected == 302)


def test_the_list_costs_the_same_queries_for_5_or_40_posts(
    django_assert_max_num_queries: Any,
) -> None:
    editor = role_member("Editor", "editor")
    writers = [role_member("Author", f"writer{i}") for i in range(3)]
    client = Client()
    client.force_login(editor)
    for _ in range(5):
        PostFactory(authors=writers)
    client.get("/studio/")
    with django_assert_max_num_queries(12) as few:
        assert client.get("/studio/").status_code == 200
    for i in range(35):
        PostFactory(authors=writers[: i % 3 + 1])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/studio/").status_code == 200
