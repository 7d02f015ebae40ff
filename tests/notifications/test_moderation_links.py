"""The links in a moderation email, read back from a real SMTP server: they act only on the
comment as the email described it, and using one uses up the email's three."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.moderation.services import comment_approve, comment_trash
from broadsheet.notifications.links import make_token
from broadsheet.publishing.models import Post
from tests.discussion.test_views import _form
from tests.notifications.test_notifications import _deliver, _path, _run_comment_tasks, post

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["post"]  # the fixture, shared with test_notifications


def _held_comment_links(client: Client, smtp_server: Any) -> tuple[Comment, dict[str, str]]:
    User.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    client.post("/comments/post/", _form(_post(), comment="A first comment, held."))
    held = Comment.objects.get(body="A first comment, held.")
    assert held.status == Comment.Status.PENDING
    _run_comment_tasks()
    _deliver(smtp_server, 2)
    email = smtp_server.last_to("boss@example.org")
    text = smtp_server.body(email, "plain")
    links = {}
    for action, words in (
        ("approve", "Approve it: "),
        ("spam", "Spam it: "),
        ("trash", "Trash it: "),
    ):
        links[action] = next(
            _path(link)
            for link in smtp_server.links(email)
            if "/moderation/email/" in link and link in text.split(words)[1].split("\n")[0]
        )
    assert len(set(links.values())) == 3
    return held, links


def _post() -> Post:
    return Post.objects.get(title="Lamps and Ledgers")


def test_trash_then_approve_from_the_same_email_leaves_the_comment_in_the_trash(
    client: Client, post: Post, smtp_server: Any
) -> None:
    held, links = _held_comment_links(client, smtp_server)
    moderator = Client()
    assert moderator.post(links["trash"]).status_code == 200
    held.refresh_from_db()
    assert held.status == Comment.Status.TRASH

    # The email's other links are used up with it: opening one says so, and changes nothing.
    page = moderator.get(links["approve"]).content.decode()
    assert "A link in this email was already used." in page
    assert ">Approve</button>" not in page
    refused = moderator.post(links["approve"])
    assert refused.status_code == 400
    assert "already used" in refused.content.decode()
    held.refresh_from_db()
    assert held.status == Comment.Status.TRASH
    assert Post.objects.get(pk=post.pk).comment_count == 0  # never published


def test_an_email_link_does_nothing_once_the_comment_was_moderated_elsewhere(
    client: Client, post: Post, smtp_server: Any
) -> None:
    held, links = _held_comment_links(client, smtp_server)
    comment_trash(comment=held)  # from the queue, by another moderator
    page = Client().get(links["approve"]).content.decode()
    assert "This comment is no longer waiting for moderation: it is now in the Trash." in page
    refused = Client().post(links["approve"])
    assert refused.status_code == 400 and "Nothing was changed." in refused.content.decode()
    held.refresh_from_db()
    assert held.status == Comment.Status.TRASH

    # Restored to the queue, the comment is again as the email described it: the links work
    # (refusing did not use them up).
    comment_approve(comment=held)
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    assert Client().post(links["spam"]).status_code == 200
    held.refresh_from_db()
    assert held.status == Comment.Status.SPAM


def test_one_link_of_an_email_works_once(client: Client, post: Post, smtp_server: Any) -> None:
    held, links = _held_comment_links(client, smtp_server)
    assert Client().post(links["approve"]).status_code == 200
    assert Client().post(links["approve"]).status_code == 400
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED


@pytest.mark.parametrize(
    "payload",
    [
        {"c": "1", "a": "approve", "s": "pending", "e": "x"},
        {"c": 10**30, "a": "approve"},
        {"c": None, "a": None, "s": None, "e": None},
        {"a": "delete", "s": "pending", "e": "y"},
        {"c": 1, "a": "approve", "s": ["pending"], "e": {"x": 1}},
    ],
)
def test_odd_signed_links_are_refused_cleanly(
    client: Client, post: Post, payload: dict[str, Any]
) -> None:
    from tests.factories import approved_comment

    comment = approved_comment(post, status=Comment.Status.PENDING)
    payload = {k: (comment.pk if v == 1 else v) for k, v in payload.items()}
    token = make_token("moderate", payload)
    for method in ("get", "post"):
        response = getattr(client, method)(f"/moderation/email/{token}/")
        assert response.status_code in (200, 400, 404), (payload, method)
    comment.refresh_from_db()
    if payload.get("a") != "approve" or not isinstance(payload.get("c"), int):
        assert comment.status == Comment.Status.PENDING


def test_links_sent_before_this_change_still_work_once_for_a_held_comment(
    client: Client, post: Post
) -> None:
    from tests.factories import approved_comment

    held = approved_comment(post, status=Comment.Status.PENDING)
    old_style = make_token("moderate", {"c": held.pk, "a": "approve"})  # no status, no email id
    assert client.post(f"/moderation/email/{old_style}/").status_code == 200
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert client.post(f"/moderation/email/{old_style}/").status_code == 400
    trash = make_token("moderate", {"c": held.pk, "a": "trash"})
    refused = client.post(f"/moderation/email/{trash}/")  # it is no longer held
    assert refused.status_code == 400 and "it is now approved" in refused.content.decode()
