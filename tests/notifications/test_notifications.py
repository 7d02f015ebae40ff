"""Who hears what, read back from a real SMTP server: follow-up subscriptions with double opt-in
and one-click unsubscribe, authors and moderators, new posts, digests, and bad links."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.db import connection
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.services import Commenter, comment_submit
from broadsheet.notifications.models import OutgoingEmail, Subscription
from broadsheet.notifications.outbox import outbox_send_due
from broadsheet.notifications.services import notify_new_post, subscription_request
from broadsheet.publishing.models import Post
from tests.discussion.test_views import _form
from tests.factories import AuthorFactory, PostFactory, approved_comment

pytestmark = pytest.mark.django_db(transaction=True)  # notifications are queued on commit


@pytest.fixture
def post(author: Any) -> Post:
    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.save()
    author.email = "margaret@example.org"
    author.save()
    return PostFactory(title="Lamps and Ledgers", authors=[author])


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _run_comment_tasks() -> int:
    """What the worker's round does with the comments written or approved since the last one:
    write their emails to the outbox. Returns how many comments it told of."""
    from broadsheet.notifications.services import comments_notify_due

    return comments_notify_due()


def _deliver(smtp_server: Any, count: int) -> list[Any]:
    outbox_send_due()
    return smtp_server.wait_for(count)


def test_follow_up_subscription_confirm_reply_and_one_click_unsubscribe(
    client: Client, post: Post, smtp_server: Any
) -> None:
    approved_comment(
        post, name="Ada Reader", author_email="ada@example.org"
    )  # previously approved: Ada's next is public
    response = client.post(
        "/comments/post/", _form(post, comment="Who kept the barometer?", subscribe_comments="on")
    )
    assert response.status_code == 302
    ada_comment = Comment.objects.get(body="Who kept the barometer?")
    assert ada_comment.status == Comment.Status.APPROVED
    assert _run_comment_tasks() == 1  # the author's note is written by the worker

    messages = _deliver(
        smtp_server, 2
    )  # the confirmation to Ada, the new-comment note to the author
    confirm = smtp_server.last_to("ada@example.org")
    assert confirm["Subject"].strip().startswith("Please confirm: follow-up comments on")
    link = next(link for link in smtp_server.links(confirm) if "/subscriptions/confirm/" in link)
    assert (
        "Confirm your subscription" in client.get(_path(link)).content.decode()
    )  # GET changes nothing
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    assert "Subscribed" in client.post(_path(link)).content.decode()
    assert "Already confirmed" in client.post(_path(link)).content.decode()  # a second click
    author_note = smtp_server.last_to("margaret@example.org")
    assert (
        "New comment on" in author_note["Subject"] and author_note["Reply-To"] == "ada@example.org"
    )
    assert len(messages) == 2

    comment_submit(
        post=post,
        commenter=Commenter(user=post.authors.get(), is_moderator=True),
        body="It was the keeper.",
        parent_id=ada_comment.pk,
    )
    assert _run_comment_tasks() == 1
    [reply] = _deliver(smtp_server, 3)[2:]
    assert reply["To"] == "ada@example.org" and "replied to you" in reply["Subject"]
    assert reply["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = "".join(str(reply["List-Unsubscribe"]).split()).strip("<>")  # unfold the header
    assert "It was the keeper." in smtp_server.body(
        reply, "plain"
    ) and "It was the keeper." in smtp_server.body(reply, "html")

    one_click = Client().post(
        _path(unsubscribe),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.CANCELLED
    comment_submit(
        post=post,
        commenter=Commenter(user=post.authors.get(), is_moderator=True),
        body="And another.",
        parent_id=ada_comment.pk,
    )
    assert _run_comment_tasks() == 1
    outbox_send_due()
    assert (
        not OutgoingEmail.objects.filter(
            to_address="ada@example.org", reason__in=["reply", "comment"]
        )
        .exclude(key__contains=f"comment-{ada_comment.pk}-")
        .filter(text_body__contains="And another.")
        .exists()
    )


def test_a_moderator_approves_a_held_comment_from_the_email_once(
    client: Client, post: Post, smtp_server: Any
) -> None:
    User.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    client.post("/comments/post/", _form(post, comment="A first comment, held."))
    held = Comment.objects.get(body="A first comment, held.")
    assert held.status == Comment.Status.PENDING
    assert not OutgoingEmail.objects.exists()  # the request queued one task, no email
    assert _run_comment_tasks() == 1
    _deliver(smtp_server, 2)  # the superuser and the post's author moderate
    email = smtp_server.last_to("boss@example.org")
    assert email["Subject"].strip().startswith("[") and "Please moderate" in email["Subject"]
    text = smtp_server.body(email, "plain")
    assert "First comment from this author" in text and "ada@example.org" in text
    approve = next(
        link
        for link in smtp_server.links(email)
        if "/moderation/email/" in link and link in text.split("Approve it: ")[1]
    )
    visitor = Client()  # no account, no session
    assert "Approve" in visitor.get(_path(approve)).content.decode()
    held.refresh_from_db()
    assert held.status == Comment.Status.PENDING  # opening the link changes nothing
    assert visitor.post(_path(approve)).status_code == 200
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    again = visitor.post(_path(approve))
    assert again.status_code == 400 and "already used" in again.content.decode()
    # Approved: now the post's author hears of it.
    assert _run_comment_tasks() == 1
    _deliver(smtp_server, 3)
    assert "New comment on" in smtp_server.last_to("margaret@example.org")["Subject"]


def test_a_held_guest_comment_costs_the_request_no_task_and_the_worker_writes_the_emails(
    client: Client, post: Post, django_assert_max_num_queries: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from broadsheet.notifications.services import notify_comment

    boss = User.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    client.post("/comments/post/", _form(post, comment="Warm up the settings cache."))
    Comment.objects.update(notice_due=False)
    DBTaskResult.objects.all().delete()
    OutgoingEmail.objects.all().delete()
    # The post; the bans in force; duplicate, flood, previously approved, spam words; the
    # comment (marked for the worker) and its thread; BEGIN and COMMIT; on PostgreSQL the
    # writer's advisory lock (a double click takes turns there). No task, no moderator looked
    # up, no email.
    with django_assert_max_num_queries(10 + (connection.vendor == "postgresql")):
        response = client.post(
            "/comments/post/",
            _form(post, comment="Held, and told.", author="Bo", email="bo@x.org"),
            REMOTE_ADDR="192.0.2.7",  # another reader: no flood
        )
    assert response.status_code == 302
    held = Comment.objects.get(body="Held, and told.")
    assert held.status == Comment.Status.PENDING and held.notice_due
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == []
    assert not OutgoingEmail.objects.exists()

    assert _run_comment_tasks() == 1
    held.refresh_from_db()
    assert not held.notice_due
    author = post.authors.get()
    held_keys = {f"comment-{held.pk}-held-{boss.pk}", f"comment-{held.pk}-held-{author.pk}"}
    assert set(OutgoingEmail.objects.values_list("key", flat=True)) == held_keys
    email = OutgoingEmail.objects.get(to_address="boss@example.org")
    assert "Please moderate" in email.subject and "Held, and told." in email.text_body
    assert "First comment from this author" in email.text_body
    assert _run_comment_tasks() == 0  # the next round: nothing left
    notify_comment(comment_id=held.pk)  # and told again by hand: nothing twice
    assert OutgoingEmail.objects.count() == 2


def test_a_comment_rolled_back_is_never_told_of(post: Post) -> None:
    from django.db import transaction

    def failing_change() -> None:
        with transaction.atomic():
            comment_submit(
                post=post, commenter=Commenter(name="Bo", email="bo@x.org"), body="Never stored."
            )
            raise RuntimeError("what wrote the comment failed after it")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not Comment.objects.exists()
    assert _run_comment_tasks() == 0
    assert not OutgoingEmail.objects.exists()


def test_comments_nobody_hears_of_are_not_marked(post: Post) -> None:
    settings = DiscussionSettings.current()
    settings.moderation_notify = False
    settings.save()
    held = comment_submit(
        post=post, commenter=Commenter(name="Bo", email="bo@x.org"), body="Held, quietly."
    )
    assert held.status == Comment.Status.PENDING and not held.notice_due
    assert _run_comment_tasks() == 0


def test_a_round_that_fails_on_one_comment_tells_of_the_others_and_tries_it_again(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broadsheet.notifications import services

    first, second = (
        comment_submit(
            post=post,
            commenter=Commenter(name=n, email=f"{n}@x.org"),
            body=f"By {n}.",
            ip_address=f"192.0.2.{i}",
        )
        for i, n in enumerate(("bo", "cy"), start=1)
    )
    real = services.notify_comment

    def failing(*, comment_id: int) -> None:
        if comment_id == first.pk:
            raise RuntimeError("the mail template broke")
        real(comment_id=comment_id)

    monkeypatch.setattr(services, "notify_comment", failing)
    assert _run_comment_tasks() == 1  # the second was told of
    assert Comment.objects.get(pk=first.pk).notice_due  # the first waits for the next round
    assert not Comment.objects.get(pk=second.pk).notice_due
    monkeypatch.setattr(services, "notify_comment", real)
    assert _run_comment_tasks() == 1


def _subscriber_and_moderator(post: Post) -> Commenter:
    """Ada follows the post's comments (confirmed); a moderator will reply, unthrottled."""
    from broadsheet.notifications.services import subscription_confirm

    subscription_confirm(
        subscription=subscription_request(
            email="ada@example.org", kind=Subscription.Kind.COMMENTS, post=post
        )
    )
    OutgoingEmail.objects.all().delete()
    return Commenter(user=AuthorFactory(username="mod", email="mod@example.org"), is_moderator=True)


def test_telling_again_adds_nothing_to_a_digest(post: Post) -> None:
    from broadsheet.notifications.services import notify_comment

    moderator = _subscriber_and_moderator(post)
    comments = [
        comment_submit(post=post, commenter=moderator, body=f"Reply number {i}.") for i in range(4)
    ]
    assert _run_comment_tasks() == 4
    rows = list(OutgoingEmail.objects.order_by("pk").values_list("key", "text_body"))
    for comment in comments:
        notify_comment(comment_id=comment.pk)
    assert list(OutgoingEmail.objects.order_by("pk").values_list("key", "text_body")) == rows
    digest = OutgoingEmail.objects.get(reason="digest")
    assert digest.text_body.count("Reply number 3.") == 1


def test_telling_again_after_the_hour_turned_adds_nothing_to_the_next_digest(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    from broadsheet.notifications.services import notify_comment

    moderator = _subscriber_and_moderator(post)
    comments = [
        comment_submit(post=post, commenter=moderator, body=f"Reply number {i}.") for i in range(4)
    ]
    assert _run_comment_tasks() == 4
    rows = list(OutgoingEmail.objects.order_by("pk").values_list("key", "text_body"))
    assert OutgoingEmail.objects.filter(reason="digest").count() == 1
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    # The links in a notice are signed with the second they are made: told again an hour
    # later, the notice reads differently there (and once flaked when a second turned).
    clock = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: clock)
    for comment in comments:
        notify_comment(comment_id=comment.pk)
    assert list(OutgoingEmail.objects.order_by("pk").values_list("key", "text_body")) == rows


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe", "manage", "moderate"])
def test_forged_and_expired_links_get_a_clear_page_and_change_nothing(
    client: Client, post: Post, kind: str
) -> None:
    prefix = {
        "confirm": "/subscriptions/confirm/",
        "unsubscribe": "/subscriptions/unsubscribe/",
        "manage": "/subscriptions/",
        "moderate": "/moderation/email/",
    }[kind]
    forged = signing.dumps({"s": 1, "c": 1, "a": "approve", "e": "x@example.org"}, salt="not-ours")
    for token in (forged, "abc", "x" * 5000):
        response = client.post(f"{prefix}{token}/")
        assert response.status_code == 400, (kind, token[:10])
        assert "Nothing was changed." in response.content.decode()


def test_an_expired_moderation_link_is_refused(
    client: Client, post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broadsheet.notifications import views
    from broadsheet.notifications.services import moderation_link

    comment = approved_comment(post, status=Comment.Status.PENDING)
    link = moderation_link(comment, "approve")
    monkeypatch.setattr(views, "MODERATION_LINK_AGE", -1)
    response = client.post(_path(link))
    assert response.status_code == 400 and "expired" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_unsubscribing_twice_or_a_subscription_we_never_had(client: Client, post: Post) -> None:
    from broadsheet.notifications.links import make_token

    token = make_token("unsubscribe", {"s": 987654})
    response = client.post(f"/subscriptions/unsubscribe/{token}/")
    assert response.status_code == 200 and "no such subscription" in response.content.decode()


def test_the_manage_page_lists_and_cancels_subscriptions(client: Client, post: Post) -> None:
    from broadsheet.notifications.services import manage_url

    a = subscription_request(email="Ada@Example.org", kind=Subscription.Kind.COMMENTS, post=post)
    b = subscription_request(email="ada@example.org", kind=Subscription.Kind.POSTS)
    url = _path(manage_url("ada@example.org"))
    page = client.get(url).content.decode()
    assert "Follow-up comments on" in page and "New posts" in page
    client.post(url, {"cancel": a.pk})
    assert Subscription.objects.get(pk=a.pk).status == Subscription.Status.CANCELLED
    client.post(url, {"all": "1"})
    assert Subscription.objects.get(pk=b.pk).status == Subscription.Status.CANCELLED


def test_new_posts_reach_confirmed_subscribers_with_the_whole_essay(
    post: Post, smtp_server: Any, author: Any
) -> None:
    from broadsheet.notifications.services import subscription_confirm
    from tests.factories import ReferenceFactory

    for name in ("ada", "bo", "cy"):
        subscription_confirm(
            subscription=subscription_request(
                email=f"{name}@example.org", kind=Subscription.Kind.POSTS
            )
        )
    subscription_request(
        email="pending@example.org", kind=Subscription.Kind.POSTS
    )  # never confirmed
    OutgoingEmail.objects.all().delete()
    essay = PostFactory(
        title="The Keeper's Year",
        body="Opening.[^1]\n\n## Part\n\nText.\n\n[^1]: A note.",
        authors=[author],
    )
    ReferenceFactory(post=essay, title="Harbour Lights")
    after = notify_new_post(post_id=essay.pk)
    assert after is not None and notify_new_post(post_id=essay.pk, after_id=after) is None
    assert (
        notify_new_post(post_id=essay.pk) is not None and OutgoingEmail.objects.count() == 3
    )  # idempotent
    messages = _deliver(smtp_server, 3)
    assert {m["To"] for m in messages} == {"ada@example.org", "bo@example.org", "cy@example.org"}
    html = smtp_server.body(messages[0], "html")
    assert "<h2" in html and "Harbour Lights" in html and "A note." in html
    assert f'{essay.get_absolute_url()}#fn-1"' in html  # footnote links lead to the web page
    assert messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_publishing_queues_the_fan_out_task(author: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    PostFactory(title="Fresh", authors=[author])
    assert DBTaskResult.objects.filter(task_path__endswith="fan_out_new_post").count() == 1


def test_many_replies_within_an_hour_become_one_digest(post: Post, smtp_server: Any) -> None:
    moderator = _subscriber_and_moderator(post)
    for i in range(6):
        comment_submit(post=post, commenter=moderator, body=f"Reply number {i}.")
    assert _run_comment_tasks() == 6
    to_ada = OutgoingEmail.objects.filter(to_address="ada@example.org")
    assert to_ada.exclude(reason="digest").count() == 3
    digest = to_ada.get(reason="digest")
    assert all(f"Reply number {i}." in digest.text_body for i in (3, 4, 5))
    assert outbox_send_due() >= 3
    assert (
        OutgoingEmail.objects.get(pk=digest.pk).status == OutgoingEmail.Status.PENDING
    )  # sent at the hour's end


def test_publishing_to_ten_thousand_subscribers_costs_the_request_one_queued_task(
    author: Any, django_assert_max_num_queries: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from broadsheet.notifications.tasks import fan_out_new_post

    Subscription.objects.bulk_create(
        Subscription(
            email=f"reader{i}@example.org",
            kind=Subscription.Kind.POSTS,
            status=Subscription.Status.ACTIVE,
        )
        for i in range(10_000)
    )
    draft = PostFactory(
        title="Big news", status=Post.Status.DRAFT, published_at=None, authors=[author]
    )
    draft.status = Post.Status.PUBLISHED
    from broadsheet.publishing.services import post_save

    # The save and its redirects, the search index (the post with its authors, labels and
    # references, then its row), one queued task, and Webmention's sending of the post's links
    # queued beside it: none of it grows with the subscribers.
    with django_assert_max_num_queries(24):
        post_save(post=draft)
    assert OutgoingEmail.objects.count() == 0  # nothing per subscriber in the request
    assert DBTaskResult.objects.filter(task_path__endswith="fan_out_new_post").count() == 1
    assert fan_out_new_post.call(draft.pk) == 21  # 20 batches of 500, then the empty look
    assert OutgoingEmail.objects.filter(reason="new-post").count() == 10_000


def test_an_account_reaches_its_subscriptions_page(client: Client, post: Post) -> None:
    reader = User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")
    subscription_request(email="rea@example.net", kind=Subscription.Kind.POSTS, user=reader)
    client.force_login(reader)
    page = client.get("/accounts/subscriptions/", follow=True).content.decode()
    assert "Your subscriptions" in page and "New posts" in page


def test_the_manage_page_offers_new_posts_by_email(
    client: Client, post: Post, smtp_server: Any
) -> None:
    from broadsheet.notifications.services import manage_url

    url = _path(manage_url("rea@example.net"))
    assert "Email me new posts" in client.get(url).content.decode()
    response = client.post(url, {"subscribe_posts": "1"})
    assert "A confirmation link is on its way" in response.content.decode()
    assert Subscription.objects.get(email="rea@example.net").status == Subscription.Status.PENDING
    [message] = _deliver(smtp_server, 1)
    assert "Please confirm: new posts" in message["Subject"]


def test_a_fan_out_stopped_half_way_is_resumed(author: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from broadsheet.notifications.models import FanOut
    from broadsheet.notifications.tasks import fan_out_new_post, resume_fan_outs

    Subscription.objects.bulk_create(
        Subscription(
            email=f"r{i}@example.org",
            kind=Subscription.Kind.POSTS,
            status=Subscription.Status.ACTIVE,
        )
        for i in range(1200)
    )
    essay = PostFactory(title="Resumed", authors=[author])
    # A worker that wrote the first batch and then died:
    first = notify_new_post(post_id=essay.pk)
    FanOut.objects.create(
        post=essay, after_id=first, updated_at=timezone.now() - timedelta(minutes=5)
    )
    assert OutgoingEmail.objects.filter(reason="new-post").count() == 500
    assert resume_fan_outs() == 1
    assert OutgoingEmail.objects.filter(reason="new-post").count() == 1200
    assert FanOut.objects.get(post=essay).done
    assert fan_out_new_post.call(essay.pk) == 0  # done is done: nothing twice
    assert OutgoingEmail.objects.filter(reason="new-post").count() == 1200


def test_the_workers_periodic_round_tells_of_marked_comments(post: Post) -> None:
    from broadsheet.notifications.tasks import tick

    User.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    held = comment_submit(
        post=post, commenter=Commenter(name="Bo", email="bo@x.org"), body="Held, then told."
    )
    assert held.notice_due and not OutgoingEmail.objects.exists()
    tick()
    assert not Comment.objects.get(pk=held.pk).notice_due
    assert OutgoingEmail.objects.filter(key__startswith=f"comment-{held.pk}-held-").exists()
