"""Scheduling from the editor: the Publish button with a future date on a draft or a pending
post keeps the date, so the worker's round publishes it (found by the studio journey)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import posts_publish_due
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [Post.Status.DRAFT, Post.Status.PENDING])
def test_publish_with_a_future_date_schedules_the_post_at_that_date(
    writer: User, editor: User, status: str
) -> None:
    post = PostFactory(authors=[writer], status=status, published_at=None)
    post.refresh_from_db()
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    client = Client()
    client.force_login(editor)
    data = {"title": post.title, "body": post.body, "status": status, "do": "publish",
            "based_on": str(post.revision), "published_at": when.strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    response = client.post(f"/studio/posts/{post.pk}/", data, follow=True)
    assert "Scheduled: it goes live on" in response.content.decode()
    post.refresh_from_db()
    assert (post.status, post.published_at) == (Post.Status.SCHEDULED, when)
    assert posts_publish_due(now=when - timedelta(minutes=1)) == 0
    assert posts_publish_due(now=when) == 1
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.published_at == when


def test_saving_a_published_post_keeps_its_date_to_the_second(author: User) -> None:
    """The date field shows minutes: a save that leaves it alone must not cut the seconds off
    the stored date (each save moved the post up to a minute earlier)."""
    published = timezone.now().replace(second=37, microsecond=123456) - timedelta(days=1)
    post = PostFactory(authors=[author], status=Post.Status.PUBLISHED, published_at=published)
    post.refresh_from_db()
    client = Client()
    client.force_login(author)
    page = client.get(f"/studio/posts/{post.pk}/").content.decode()
    shown = timezone.localtime(published).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{shown}"' in page
    data = {"title": post.title, "body": post.body + " More.", "status": "published",
            "do": "save", "based_on": str(post.revision), "published_at": shown}  # fmt: skip
    assert client.post(f"/studio/posts/{post.pk}/", data).status_code == 302
    post.refresh_from_db()
    assert post.published_at == published and post.body.endswith("More.")
    # A date the writer changes is taken as given.
    data.update(based_on=str(post.revision), published_at="2020-01-02T03:04")
    assert client.post(f"/studio/posts/{post.pk}/", data).status_code == 302
    post.refresh_from_db()
    assert timezone.localtime(post.published_at).strftime("%Y-%m-%dT%H:%M:%S") == (
        "2020-01-02T03:04:00"
    )
