""" "Notify me of follow-up comments" through the API and the embed, as the site's form offers it
(notifications.services.comment_subscriptions_request): the confirmation read back from a real
SMTP server, the link confirming it, and the reply reaching the subscriber."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import DiscussionSettings
from broadsheet.discussion.services import Commenter, comment_submit
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.outbox import outbox_send_due
from broadsheet.notifications.services import comments_notify_due
from broadsheet.publishing.models import Post
from tests.api.conftest import BLOG, post_json
from tests.factories import approved_comment

pytestmark = pytest.mark.django_db(transaction=True)  # the emails are queued on commit


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _offer(offered: bool) -> None:
    current = DiscussionSettings.current()
    current.show_subscription_options = offered
    current.minimum_seconds_on_page = 0
    current.save()


def test_a_guest_asks_through_the_api_confirms_by_email_and_hears_the_reply(
    client: Client, essay: Post, smtp_server: Any
) -> None:
    _offer(True)
    approved_comment(essay, name="Ada Reader", author_email="ada@example.org")  # known: published
    thread = client.get(f"/api/v1/threads?post={essay.pk}").json()
    assert thread["notify_offered"] is True
    created = post_json(client, "/api/v1/comments", {
        "thread": essay.pk, "body": "Who kept the barometer?", "name": "Ada Reader",
        "email": "Ada@Example.org", "notify_comments": True,
    })  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["subscriptions"] == ["comments"]
    subscription = Subscription.objects.get()
    assert subscription.email == "ada@example.org" and subscription.post_id == essay.pk
    assert subscription.status == Subscription.Status.PENDING

    outbox_send_due()
    confirm = smtp_server.wait_for(1) and smtp_server.last_to("ada@example.org")
    assert confirm["Subject"].strip().startswith("Please confirm: follow-up comments on")
    link = next(u for u in smtp_server.links(confirm) if "/subscriptions/confirm/" in u)
    assert "Subscribed" in client.post(_path(link)).content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE

    mine = essay.comments.get(body="Who kept the barometer?")
    comment_submit(
        post=essay,
        commenter=Commenter(user=essay.authors.get(), is_moderator=True),
        body="It was the keeper.",
        parent_id=mine.pk,
    )
    comments_notify_due()
    outbox_send_due()
    smtp_server.wait_for(2)
    reply = smtp_server.last_to("ada@example.org")
    assert "It was the keeper." in (smtp_server.body(reply, "plain") or "")


def test_nothing_is_asked_when_the_site_does_not_offer_it_or_for_spam(
    client: Client, essay: Post, smtp_server: Any
) -> None:
    _offer(False)
    assert client.get(f"/api/v1/threads?post={essay.pk}").json()["notify_offered"] is False
    assert client.get("/embed/sign-in/options").json()["notify"] is False
    created = post_json(client, "/api/v1/comments", {
        "thread": essay.pk, "body": "Quiet, please.", "name": "Bo", "email": "bo@example.org",
        "notify_comments": True, "notify_posts": True,
    })  # fmt: skip
    assert created.status_code == 201 and created.json()["subscriptions"] == []
    _offer(True)
    current = DiscussionSettings.current()
    current.disallowed_keys = "casino"
    current.save()
    binned = post_json(client, "/api/v1/comments", {
        "thread": essay.pk, "body": "Best casino here", "name": "Sp", "email": "sp@example.org",
        "notify_comments": True,
    }, REMOTE_ADDR="192.0.2.7")  # fmt: skip
    assert binned.status_code == 201 and binned.json()["status"] == "trash"
    assert binned.json()["subscriptions"] == []
    assert not Subscription.objects.exists()


def test_a_first_comment_on_a_page_elsewhere_may_ask_for_both(client: Client, db: None) -> None:
    _offer(True)
    created = post_json(client, "/api/v1/comments", {
        "url": f"{BLOG}/notes/", "title": "Notes", "body": "First!", "name": "Cy",
        "email": "cy@example.org", "notify_comments": True, "notify_posts": True,
    })  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["subscriptions"] == ["comments", "posts"]
    kinds = set(Subscription.objects.values_list("kind", flat=True))
    assert kinds == {"comments", "posts"}


def test_notify_takes_only_booleans(client: Client, essay: Post) -> None:
    refused = post_json(client, "/api/v1/comments", {
        "thread": essay.pk, "body": "x", "name": "Dee", "email": "d@example.org",
        "notify_comments": {"<script>": 1},
    })  # fmt: skip
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid"
