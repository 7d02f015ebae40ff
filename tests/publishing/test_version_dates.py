"""Version 1 is dated as the post went live, not as its text was saved: a post scheduled a
week ahead (or a draft published days after its last save) was not published on the day it
was saved (found by the studio journey)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save, posts_publish_due
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _day(when: object) -> str:
    local = timezone.localtime(when)  # type: ignore[arg-type]
    return f"{local:%B} {local.day}, {local.year}"


def test_a_scheduled_posts_first_version_is_dated_when_it_went_live() -> None:
    saved = timezone.now()
    later = saved + timedelta(days=7)
    post = PostFactory(status=Post.Status.SCHEDULED, published_at=later, body="First words.")
    post_save(post=post)
    assert posts_publish_due(now=later) == 1
    post.refresh_from_db()
    post.body = "Second words."
    post_save(post=post)  # version 2, saved today
    client = Client()
    url = post.get_absolute_url()
    for path in ("v/1/", "v/", "v/1/changes/"):
        page = client.get(url + path).content.decode()
        assert _day(later) in page, path
    banner = client.get(url + "v/1/").content.decode()
    assert f'version 1, published <time datetime="{timezone.localtime(later):%Y-%m-%d}' in banner
    assert _day(saved) in client.get(url + "v/2/").content.decode()  # later versions: saved
