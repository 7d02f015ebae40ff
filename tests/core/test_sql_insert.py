"""core.sql's writes for the hot paths (decision 0019): `insert_row` stores what the ORM's own
INSERT stores, column for column, and `add_to` adds as the ORM's F() update, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import models
from django.db.models.signals import post_save, pre_save

from broadsheet.core.sql import insert_row
from broadsheet.discussion.models import Comment
from broadsheet.search.models import SearchDocument
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db


def _comment(post: Any, parent: Any, **overrides: Any) -> Comment:
    fields: dict[str, Any] = {
        "post": post,
        "parent": parent,
        "thread_id": parent.thread_id,
        "depth": parent.depth + 1,
        "kind": Comment.Kind.COMMENT,
        "status": Comment.Status.PENDING,
        "status_changed_at": datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC),
        "author_name": "Gwen <b>Guest</b> ‘quoted’",
        "author_email": "gwen@example.org",
        "author_url": "https://gwen.example.org/",
        "ip_address": "::ffff:192.0.2.7",  # unpacked to 192.0.2.7, as the ORM does
        "user_agent": "Mozilla/5.0 'x' \"y\"",
        "body": "Ça *va*?\n\n<script>x</script> ‹done›",
        "body_html": "<p>Ça <em>va</em>?</p>",
        "created_at": datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC),
        "modified_at": datetime(2026, 3, 15, 1, 2, 3, tzinfo=UTC),
        "moderation_reason": "held: first comment",
        "spam_score": 0.125,
        "notice_due": True,
    }
    return Comment(**{**fields, **overrides})


def _stored(pk: int) -> dict[str, Any]:
    row = Comment.objects.filter(pk=pk).values().get()
    del row["id"]
    return row


@pytest.mark.parametrize(
    "overrides", [{}, {"ip_address": None, "spam_score": None, "user_agent": ""}]
)
def test_a_written_out_insert_stores_what_the_orm_stores(overrides: dict[str, Any]) -> None:
    post = PostFactory(title="Harbours")
    parent = approved_comment(post)
    by_orm, written = _comment(post, parent, **overrides), _comment(post, parent, **overrides)
    models.Model.save(by_orm, force_insert=True)  # the ORM's INSERT, without Comment.save()
    heard: list[tuple[str, Any, Any]] = []

    def before(sender: Any, instance: Any, **kwargs: Any) -> None:
        heard.append(("pre_save", instance.pk, kwargs["raw"]))

    def after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append(("post_save", instance.pk, created))

    pre_save.connect(before, sender=Comment, dispatch_uid="test-insert-before")
    post_save.connect(after, sender=Comment, dispatch_uid="test-insert-after")
    try:
        insert_row(written)
    finally:
        pre_save.disconnect(dispatch_uid="test-insert-before", sender=Comment)
        post_save.disconnect(dispatch_uid="test-insert-after", sender=Comment)
    # The signals as the ORM sends them (the comments-by-status metric counts in post_save).
    assert heard == [("pre_save", None, False), ("post_save", written.pk, True)]

    assert isinstance(written.pk, int) and written.pk > by_orm.pk
    assert written._state.adding is False and written._state.db == "default"
    assert _stored(written.pk) == _stored(by_orm.pk)
    assert _stored(written.pk)["ip_address"] == overrides.get("ip_address", "192.0.2.7")


def test_an_upsert_writes_a_new_row_then_the_same_row_again() -> None:
    post = PostFactory(title="Harbours")
    comment = approved_comment(post)
    SearchDocument.objects.filter(comment=comment).delete()
    when = datetime(2026, 3, 14, tzinfo=UTC)

    def document(body: str) -> SearchDocument:
        return SearchDocument(
            post=post, comment=comment, kind="comment", heading="Harbours", url="/c/",
            date=when, visible_from=when, body=body,
        )  # fmt: skip

    heard: list[object] = []

    def after(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    post_save.connect(after, sender=SearchDocument, dispatch_uid="test-upsert-after")
    try:
        first = document("capybara")
        insert_row(first, update_on="comment")
        again = document("tapir")
        insert_row(again, update_on="comment")
    finally:
        post_save.disconnect(dispatch_uid="test-upsert-after", sender=SearchDocument)
    assert heard == []  # created or updated is not known: no signal

    assert again.pk == first.pk
    assert list(SearchDocument.objects.filter(comment=comment).values_list("pk", "body")) == [
        (first.pk, "tapir")
    ]


def test_an_upsert_needs_a_unique_field() -> None:
    with pytest.raises(AssertionError):
        insert_row(SearchDocument(post=PostFactory()), update_on="kind")


def test_add_to_moves_one_row_s_count_by_the_amount() -> None:
    from broadsheet.core.sql import add_to
    from broadsheet.publishing.models import Post

    post, other = PostFactory(), PostFactory()
    Post.objects.filter(pk__in=[post.pk, other.pk]).update(comment_count=5)
    add_to(Post, post.pk, "comment_count", 3)
    add_to(Post, post.pk, "comment_count", -1)
    counts = dict(
        Post.objects.filter(pk__in=[post.pk, other.pk]).values_list("pk", "comment_count")
    )
    assert counts == {post.pk: 7, other.pk: 5}
