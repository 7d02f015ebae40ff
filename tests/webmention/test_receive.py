"""Receiving Webmentions end to end: another site (a real HTTP server in the test) mentions an
essay, the endpoint queues the request, the worker reads the source, and the mention becomes
a moderated comment in the thread (a reply) or a face under the essay (a like)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion.models import Comment
from broadsheet.moderation.services import comment_approve
from broadsheet.publishing.models import Post
from broadsheet.webmention.models import Mention
from broadsheet.webmention.tasks import verify_mention
from tests.factories import PostFactory
from tests.webmention.site import Page, Site, local_allowed, site

__all__ = ["local_allowed", "site"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay() -> Post:
    return PostFactory(title="On harbours", slug="on-harbours")


def target_of(essay: Post) -> str:
    return f"http://testserver{essay.get_absolute_url()}"


def reply_page(target: str, text: str = "A fine essay; the tides agree.", **extra: str) -> str:
    kind = extra.get("kind", "u-in-reply-to")
    return (
        '<html><body><article class="h-entry">'
        '<span class="p-author h-card"><a class="u-url p-name" href="https://ada.example.org/">'
        'Ada Lovelace</a><img class="u-photo" src="https://ada.example.org/me.jpg" alt=""></span>'
        f'<a class="{kind}" href="{target}">the essay</a>'
        f'<div class="e-content">{text}</div>'
        '<time class="dt-published" datetime="2026-03-01T10:00:00+00:00">1 March</time>'
        "</article></body></html>"
    )


def send(client: Client, source: str, target: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post("/webmention/", {"source": source, "target": target})


def run_verifications() -> None:
    """What the worker does with the queued verifications."""
    for queued in DBTaskResult.objects.filter(task_path__endswith="verify_mention"):
        verify_mention.call(*queued.args_kwargs["args"])
        queued.delete()


def test_every_post_page_names_its_endpoint_in_a_header_and_its_head(
    client: Client, essay: Post, settings: Any
) -> None:
    settings.PAGE_CACHE = True
    for _ in range(2):  # rendered, then served from the page cache: the header is kept
        response = client.get(essay.get_absolute_url())
        assert response["Link"] == f'<{settings.SITE_URL}/webmention/>; rel="webmention"'
        assert f'<link rel="webmention" href="{settings.SITE_URL}/webmention/">' in (
            response.content.decode()
        )
    assert response["X-Page-Cache"] == "hit"


def test_a_reply_is_verified_by_the_worker_and_shown_after_approval(
    client: Client, essay: Post, site: Site, local_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    site.pages["/reply"] = Page(reply_page(target_of(essay)))
    response = send(
        client, site.url("/reply"), target_of(essay), django_capture_on_commit_callbacks
    )
    assert response.status_code == 202
    status_url = response["Location"]
    assert "Waiting to be checked" in client.get(status_url).content.decode()

    run_verifications()
    mention = Mention.objects.get()
    assert (mention.status, mention.kind) == (Mention.Status.ACCEPTED, "reply")
    comment = mention.comment
    assert comment is not None and comment.kind == Comment.Kind.WEBMENTION
    assert (comment.author_name, comment.author_url) == ("Ada Lovelace", "https://ada.example.org/")
    assert mention.author_photo == "https://ada.example.org/me.jpg"
    assert comment.created_at.isoformat().startswith("2026-03-01T10:00")
    # The form's rules: a writer with no approved comment yet waits for a moderator.
    assert comment.status == Comment.Status.PENDING and comment.moderation_reason
    assert "the tides agree" not in client.get(essay.get_absolute_url()).content.decode()
    comment_approve(comment=comment)
    page = client.get(essay.get_absolute_url()).content.decode()
    assert "A fine essay; the tides agree." in page
    assert "Accepted" in client.get(status_url).content.decode()


def test_a_resent_mention_updates_its_comment(
    client: Client, essay: Post, site: Site, local_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    site.pages["/reply"] = Page(reply_page(target_of(essay), "First words."))
    send(client, site.url("/reply"), target_of(essay), django_capture_on_commit_callbacks)
    run_verifications()
    site.pages["/reply"] = Page(reply_page(target_of(essay), "Second thoughts."))
    send(client, site.url("/reply"), target_of(essay), django_capture_on_commit_callbacks)
    run_verifications()
    assert Comment.objects.count() == 1
    assert "Second thoughts." in Comment.objects.get().body_html


@pytest.mark.parametrize(
    "gone",
    [Page("Gone.", status=410), Page("<html><body><p>Nothing about harbours.</p></body></html>")],
    ids=["410", "no-longer-linking"],
)
def test_a_source_gone_or_no_longer_linking_removes_its_comment(
    client: Client, essay: Post, site: Site, local_allowed: None,
    django_capture_on_commit_callbacks: Any, gone: Page,
) -> None:  # fmt: skip
    site.pages["/reply"] = Page(reply_page(target_of(essay)))
    send(client, site.url("/reply"), target_of(essay), django_capture_on_commit_callbacks)
    run_verifications()
    comment_approve(comment=Comment.objects.get())
    site.pages["/reply"] = gone
    send(client, site.url("/reply"), target_of(essay), django_capture_on_commit_callbacks)
    run_verifications()
    assert not Comment.objects.exists()
    assert Mention.objects.get().status == Mention.Status.REMOVED
    assert "tides agree" not in client.get(essay.get_absolute_url()).content.decode()


def test_likes_and_reposts_are_faces_under_the_essay_not_in_the_thread(
    client: Client, essay: Post, site: Site, local_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    site.pages["/like"] = Page(reply_page(target_of(essay), "Liked.", kind="u-like-of"))
    site.pages["/repost"] = Page(reply_page(target_of(essay), "Shared.", kind="u-repost-of"))
    for path in ("/like", "/repost"):
        send(client, site.url(path), target_of(essay), django_capture_on_commit_callbacks)
    run_verifications()
    for comment in Comment.objects.all():
        comment_approve(comment=comment)
    assert sorted(Mention.objects.values_list("kind", flat=True)) == ["like", "repost"]
    page = client.get(essay.get_absolute_url()).content.decode()
    assert "1 like" in page and "1 repost" in page
    assert page.count('title="Ada Lovelace"') == 2
    assert "Liked." not in page and "Shared." not in page  # not in the thread
    assert "ada.example.org/me.jpg" not in page  # faces are drawn here: no other site is asked


def test_the_faces_cost_one_query_and_none_before_any_mention(
    client: Client, essay: Post, django_assert_num_queries: Any
) -> None:
    from broadsheet.publishing.additions import post_mark
    from broadsheet.webmention.published import MARK, post_webmention

    with django_assert_num_queries(0):  # no mention was ever accepted: nothing to read
        added = post_webmention(essay)
    assert added is not None and not added.html and added.head
    post_mark(essay.pk, MARK)
    essay.refresh_from_db()
    with django_assert_num_queries(1):
        added = post_webmention(essay)
    assert added is not None and not added.html
