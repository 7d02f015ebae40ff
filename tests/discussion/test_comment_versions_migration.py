"""discussion/0007: comments written before comments knew their version get the version their
post showed when they were written."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post, Revision
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db

migration = importlib.import_module("broadsheet.discussion.migrations.0007_comment_post_version")


def _revise(post: Post, body: str, at: object) -> None:
    post.refresh_from_db()
    post.body = body
    post_save(post=post)
    Revision.objects.filter(post_id=post.pk, version=post.version).update(created_at=at)


def test_each_comment_gets_the_version_shown_when_it_was_written() -> None:
    now = timezone.now()
    day = timedelta(days=1)
    post = PostFactory(body="One.", published_at=now - 10 * day)
    _revise(post, "Two.", now - 5 * day)
    _revise(post, "Three.", now - 2 * day)
    unrevised = PostFactory(body="Only.", published_at=now - 10 * day)
    written = {
        "before it went live (an import)": (now - 20 * day, 1),
        "on version 1": (now - 9 * day, 1),
        "on version 2": (now - 4 * day, 2),
        "as version 3 went live": (now - 2 * day, 3),
        "on version 3": (now - day, 3),
    }
    made = {
        label: approved_comment(post, body=label, created_at=at)
        for label, (at, _) in written.items()
    }
    known = approved_comment(post, body="known", created_at=now - 9 * day, post_version=3)
    other = approved_comment(unrevised, body="other", created_at=now)
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    on_draft = approved_comment(draft, body="a draft's")

    migration.comment_versions(apps, None)

    for label, (_, version) in written.items():
        assert Comment.objects.get(pk=made[label].pk).post_version == version, label
    assert Comment.objects.get(pk=known.pk).post_version == 3  # set already: kept
    assert Comment.objects.get(pk=other.pk).post_version == 1
    assert Comment.objects.get(pk=on_draft.pk).post_version is None  # no version to be on
