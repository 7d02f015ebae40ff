"""Issue 22 §4, §5: readers' reports (held at N readers, in the queue with counts and reasons,
rate-limited, once per reader) and bans with an expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.forms import shown_at_token
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.moderation.bans import ban_create, ban_lift
from broadsheet.moderation.models import Ban, Report
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory, approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps and Ledgers", authors=[author])


@pytest.fixture(autouse=True)
def _open_discussion() -> None:
    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.comment_previously_approved = False
    current.save()


def _reader(n: int) -> Client:
    return Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")


@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_three_readers_report_and_the_comment_is_held(post: Post) -> None:
    comment = approved_comment(post, body="Rude words.")
    # Without JavaScript, Report is on the comment's Reply page (comments.js adds it to each
    # comment of the post's page: decision 0111).
    page = _reader(9).get(post.get_absolute_url()).content.decode()
    assert f'href="?replytocom={comment.pk}#respond"' in page
    page = _reader(9).get(f"{post.get_absolute_url()}?replytocom={comment.pk}").content.decode()
    assert f'href="/comment/{comment.pk}/report/"' in page
    assert "Send the report" in _reader(1).get(f"/comment/{comment.pk}/report/").content.decode()
    for n, reason in ((1, "abuse"), (2, "abuse")):
        response = _reader(n).post(f"/comment/{comment.pk}/report/", {"reason": reason})
        assert "Thank you" in response.content.decode()
        assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED
    _reader(3).post(f"/comment/{comment.pk}/report/", {"reason": "other", "text": "Insults me."})
    held = Comment.objects.get(pk=comment.pk)
    assert held.status == Comment.Status.PENDING and "Reported" in held.moderation_reason
    assert "Rude words." not in Client().get(post.get_absolute_url()).content.decode()
    staff = Client()
    staff.force_login(User.objects.create_superuser("editor", "editor@example.org", "pw"))
    queue = staff.get("/moderation/?status=pending").content.decode()
    assert "Reported by readers:" in queue and "Abuse ×2" in queue and "Insults me." in queue
    staff.post(f"/moderation/{comment.pk}/approve/")
    assert not Report.objects.exists()  # answered


@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_a_reader_reports_a_comment_once(post: Post) -> None:
    comment = approved_comment(post)
    reader = _reader(1)
    reader.post(f"/comment/{comment.pk}/report/", {"reason": "spam"})
    again = reader.post(f"/comment/{comment.pk}/report/", {"reason": "spam"})
    assert again.status_code == 409 and "already reported" in again.content.decode()
    fresh_cookie_same_address = _reader(1).post(
        f"/comment/{comment.pk}/report/", {"reason": "spam"}
    )
    assert fresh_cookie_same_address.status_code == 409
    assert Report.objects.count() == 1


@override_settings(TRUST_X_FORWARDED_FOR=True, COMMENT_REPORTS_PER_HOUR=2)
def test_reporting_is_rate_limited(post: Post) -> None:
    comments = [approved_comment(post, name=f"Writer {n}") for n in range(3)]
    reader = _reader(1)
    codes = [reader.post(f"/comment/{c.pk}/report/", {"reason": "spam"}).status_code
             for c in comments]  # fmt: skip
    assert codes == [200, 200, 429]
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [{}, {"reason": "nonsense"}, {"reason": "other"}, {"reason": "other", "text": "x" * 500}],
)
def test_a_malformed_report_is_refused_politely(post: Post, data: dict[str, str]) -> None:
    comment = approved_comment(post)
    response = Client().post(f"/comment/{comment.pk}/report/", data)
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_held_or_missing_comment_cannot_be_reported(post: Post) -> None:
    held = approved_comment(post, status="pending")
    for pk in (held.pk, 999999):
        assert Client().post(f"/comment/{pk}/report/", {"reason": "spam"}).status_code == 404


def _comment(client: Client, post: Post, **more: str) -> Any:
    data = {
        "comment": "My careful words.", "author": "Ada Reader", "email": "ada@example.org",
        "url": "", "post_id": post.pk, "parent_id": "0", "shown_at": shown_at_token(), "hp": "",
        **more,
    }  # fmt: skip
    return client.post("/comments/post/", data)


def test_a_banned_email_is_refused_politely_and_keeps_the_text(post: Post) -> None:
    ban_create(
        kind=Ban.Kind.EMAIL, value="ADA@example.org", until=timezone.now() + timedelta(days=7)
    )
    response = _comment(Client(), post)
    html = response.content.decode()
    assert response.status_code == 403
    assert "a moderator has paused comments from you until" in html
    assert "My careful words." in html  # kept in the box
    assert not Comment.objects.exists()


def test_a_banned_range_and_account(post: Post) -> None:
    ban_create(kind=Ban.Kind.NETWORK, value="127.0.0.0/8")
    assert _comment(Client(), post).status_code == 403
    Ban.objects.all().delete()
    reader = AuthorFactory(username="reader")
    ban_create(kind=Ban.Kind.ACCOUNT, user=reader)
    client = Client()
    client.force_login(reader)
    assert _comment(client, post).status_code == 403
    assert _comment(Client(), post, email="other@example.org").status_code == 302


def test_an_expired_or_lifted_ban_refuses_nothing(post: Post) -> None:
    ban_create(kind=Ban.Kind.EMAIL, value="ada@example.org", until=timezone.now() - timedelta(1))
    lifted = ban_create(kind=Ban.Kind.NETWORK, value="127.0.0.1")
    ban_lift(ban=lifted)
    assert _comment(Client(), post).status_code == 302


def test_the_written_out_read_finds_the_bans_the_orm_rule_finds(post: Post) -> None:
    """ban_for reads the bans in force with its own statement (decision 0019): the same rows
    as the ORM's `_in_force`, for each kind of end: none, later, passed, lifted."""
    from broadsheet.moderation.bans import _in_force, ban_for

    now = timezone.now()
    for n, until in enumerate((None, now + timedelta(hours=1), now - timedelta(seconds=1))):
        ban_create(kind=Ban.Kind.EMAIL, value=f"e{n}@example.org", until=until)
    ban_lift(ban=ban_create(kind=Ban.Kind.EMAIL, value="lifted@example.org"))
    in_force = set(Ban.objects.filter(_in_force(timezone.now())).values_list("value", flat=True))
    assert in_force == {"e0@example.org", "e1@example.org"}
    for value in ("e0@example.org", "e1@example.org", "e2@example.org", "lifted@example.org"):
        found = ban_for(user_id=None, email=value.upper(), ip_address=None)
        assert (found is not None and found.value == value) == (value in in_force), value


def test_a_ban_may_hide_earlier_comments(post: Post) -> None:
    comment = approved_comment(post, author_email="troll@example.org", body="Trolling.")
    ban_create(kind=Ban.Kind.EMAIL, value="troll@example.org", hide_comments=True, reason="Abuse")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert Post.objects.get(pk=post.pk).comment_count == 0


def test_bans_are_listed_made_and_lifted_in_the_admin(post: Post) -> None:
    staff = Client()
    moderator = User.objects.create_superuser("editor", "editor@example.org", "pw")
    staff.force_login(moderator)
    response = staff.post(
        "/admin/moderation/ban/add/",
        {
            "kind": "network",
            "value": "203.0.113.0/24",
            "reason": "Flood",
            "until_0": "",
            "until_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ban = Ban.objects.get()
    assert ban.created_by == moderator and ban.in_force()
    assert "203.0.113.0/24" in staff.get("/admin/moderation/ban/").content.decode()
    staff.post("/admin/moderation/ban/", {"action": "lift", "_selected_action": [ban.pk]})
    ban.refresh_from_db()
    assert ban.lifted_by == moderator and not ban.in_force()
    bad = staff.post("/admin/moderation/ban/add/", {"kind": "network", "value": "not a range"})
    assert bad.status_code == 200 and "such as 203.0.113.0/24" in bad.content.decode()
