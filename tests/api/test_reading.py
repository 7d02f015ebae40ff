"""Reading: lists answer 304 while the pages they come from are unchanged, counts for many
pages at once, posts and their references, and threads of pages elsewhere never listed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.moderation.services import comment_approve
from broadsheet.publishing.models import Post
from broadsheet.publishing.threads import thread_create, thread_for_url
from tests.api.conftest import BLOG, post_json
from tests.factories import PostFactory, ReferenceFactory, approved_comment


@pytest.mark.django_db(transaction=True)  # the pages' versions change after the commit
def test_a_thread_answers_304_until_its_pages_change(client: Client, essay: Post) -> None:
    path = f"/api/v1/threads/{essay.pk}/comments"
    first = client.get(path)
    etag = first["ETag"]
    assert "public" in first["Cache-Control"]
    unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    held = approved_comment(essay, status="pending")
    comment_approve(comment=held)  # declares the post's pages changed
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(changed.json()["comments"]) == 1


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_keeps_a_thread_and_drops_it_with_its_post(
    client: Client, essay: Post, settings: Any
) -> None:
    settings.PAGE_CACHE = True
    path = f"/api/v1/threads/{essay.pk}/comments"
    assert client.get(path).json()["comments"] == []
    post_json(
        client, "/api/v1/comments",
        {"thread": essay.pk, "body": "Held at first.", "name": "Ada", "email": "a@example.org"},
    )  # fmt: skip
    held = essay.comments.get()
    assert client.get(path).json()["comments"] == []  # served from the cache: held
    comment_approve(comment=held)
    assert [c["id"] for c in client.get(path).json()["comments"]] == [held.pk]


def test_threads_are_paged_as_the_site_pages_them(client: Client, essay: Post) -> None:
    from broadsheet.discussion.models import DiscussionSettings

    settings = DiscussionSettings.current()
    settings.page_comments, settings.comments_per_page = True, 2
    settings.default_comments_page = "oldest"
    settings.save()
    for n in range(5):
        approved_comment(essay, body=f"Comment {n}.")
    second = client.get(f"/api/v1/threads/{essay.pk}/comments?page=2").json()
    assert second["page"] == 2 and second["pages"] == 3
    assert [c["html"] for c in second["comments"]] == ["<p>Comment 2.</p>", "<p>Comment 3.</p>"]


def test_counts_for_many_pages_in_one_request(client: Client, essay: Post) -> None:
    approved_comment(essay)
    thread = thread_create(url=f"{BLOG}/a/", title="A")
    approved_comment(thread)
    approved_comment(thread)
    query = f"url={BLOG}/a/&url={BLOG}/none/&post={essay.pk}&post=999999"
    counts = client.get(f"/api/v1/counts?{query}").json()["counts"]
    assert counts == {f"{BLOG}/a/": 2, f"{BLOG}/none/": 0, str(essay.pk): 1, "999999": 0}
    too_many = "&".join(f"post={n}" for n in range(101))
    assert client.get(f"/api/v1/counts?{too_many}").status_code == 422


def test_posts_and_their_references_are_read_only_and_public(client: Client, essay: Post) -> None:
    ReferenceFactory(post=essay, key="smith2020", title="Tides")
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    listed = client.get("/api/v1/posts").json()
    assert [p["id"] for p in listed["posts"]] == [essay.pk]
    detail = client.get(f"/api/v1/posts/{essay.pk}").json()
    assert detail["title"] == "On harbours" and "An opening paragraph." in detail["html"]
    references = client.get(f"/api/v1/posts/{essay.pk}/references").json()["references"]
    assert references[0]["key"] == "smith2020" and references[0]["csl"]["title"] == "Tides"
    assert client.get(f"/api/v1/posts/{draft.pk}").status_code == 404
    assert client.post("/api/v1/posts", "{}", content_type="application/json").status_code == 405


def test_our_own_posts_address_names_the_post(client: Client, essay: Post) -> None:
    from django.conf import settings

    assert thread_for_url(f"{settings.SITE_URL}{essay.get_absolute_url()}") == essay
    for other in ("/comments/post/", "/", "/2026/", "/no/such/page/", "/api/v1/threads"):
        assert thread_for_url(f"{settings.SITE_URL}{other}", create=True) is None, other
    found = client.get(f"/api/v1/threads?url={settings.SITE_URL}{essay.get_absolute_url()}")
    assert found.json()["id"] == essay.pk


def test_only_web_pages_of_allowed_origins_get_threads(db: None) -> None:
    for url in ("javascript:alert(1)", "https://evil.example/a/", f"{BLOG}/{'x' * 600}", ""):
        assert thread_for_url(url, title="T", create=True) is None, url
    assert not Post.objects.filter(kind=Post.Kind.THREAD).exists()
    made = thread_for_url(f"{BLOG.upper()}/Path/?q=1#c", title="  Two\u0000  words ", create=True)
    assert made is not None and made.external_url == f"{BLOG}/Path/"
    assert made.title == "Two words"
    assert thread_for_url(f"{BLOG}/Path/", create=True) == made


def test_a_thread_has_its_own_plain_page_and_is_never_listed(client: Client, essay: Post) -> None:
    from broadsheet.accounts.models import User

    thread = thread_create(url=f"{BLOG}/harbours/", title="Harbours elsewhere")
    approved_comment(thread, body="Seen on the blog.")
    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert f'Comments on <a href="{BLOG}/harbours/">Harbours elsewhere</a>' in html
    assert "Seen on the blog." in html and "Leave a Reply" in html
    for listing in ("/", "/feed/", "/comments/feed/", "/sitemap-posts.xml", "/sitemap.xml",
                    "/?s=harbours", "/?s=blog&comments=1", "/api/v1/posts"):  # fmt: skip
        assert "Harbours elsewhere" not in client.get(listing).content.decode(), listing
    client.force_login(User.objects.create_superuser("ed", "ed@example.net", "pass phrase 42x"))
    for kind in ("post", "page"):
        studio = client.get(f"/studio/?kind={kind}").content.decode()
        assert "Harbours elsewhere" not in studio
    assert essay.title in client.get("/studio/?kind=post").content.decode()
