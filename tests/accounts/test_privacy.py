"""Personal data, self-service: export and erasure for account holders and for guests."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.conf import settings
from django.core import signing
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.accounts import privacy
from broadsheet.accounts.models import Profile, User
from broadsheet.accounts.privacy import personal_data, personal_data_erase, privacy_token
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from tests.accounts.smtp import smtp_server  # noqa: F401 - the fixture
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 42"
NEUTRAL = "If we hold anything for that address, a link is on its way."
INVALID = "This link has expired or is not valid. Ask for a new one."


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.fixture
def post(author: User) -> Post:
    return PostFactory(authors=[author], title="On harbours")


@pytest.fixture
def reader() -> User:
    user = User.objects.create_user(
        "rea", "rea@example.net", PASSWORD, first_name="Rea", last_name="Dern"
    )
    profile = Profile.objects.get(user=user)
    profile.display_name, profile.website, profile.bio = "Rea D.", "https://rea.example", "Hi."
    profile.save()
    EmailAddress.objects.create(user=user, email="rea@example.net", verified=True, primary=True)
    EmailAddress.objects.create(user=user, email="old-rea@example.net", verified=True)
    account = SocialAccount.objects.create(
        user=user,
        provider="github",
        uid="4242",
        extra_data={
            "login": "rea",
            "access_token": "gho_secretvalue",
            "nested": {"refresh_token": "r-secret", "client_secret": "cs", "ok": 1},
            "list": [{"id_token": "eyJ-secret", "name": "kept"}],
        },
    )
    from allauth.socialaccount.models import SocialApp

    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="x", secret="y")
    SocialToken.objects.create(account=account, app=app, token="tok-secret")
    return user


def _comment(post: Post, **fields: Any) -> Comment:
    fields.setdefault("ip_address", "203.0.113.77")
    fields.setdefault("user_agent", "Mozilla/5.0 (Test)")
    fields.setdefault("author_url", "https://ada.example")
    return approved_comment(post, **fields)  # type: ignore[no-any-return]


def _count(post: Post) -> int:
    post.refresh_from_db()
    return post.comment_count


def _real_count(post: Post) -> int:
    return Comment.objects.filter(post=post, status="approved", removed=False).count()


# --- export ---------------------------------------------------------------------------


def test_export_for_an_account_has_the_documented_shape_and_no_secrets(
    post: Post, reader: User
) -> None:
    by_account = _comment(post, name="Rea", user=reader, author_email="rea@example.net")
    by_old_address = _comment(post, name="Rea", author_email="OLD-REA@example.net", body="Old.")
    _comment(post, name="Someone Else", author_email="else@example.org")

    data = personal_data(email=reader.email, user=reader)
    text = json.dumps(data)  # JSON-serialisable as it stands

    assert data["format"] == "broadsheet-personal-data/1"
    assert data["account"] == {
        "username": "rea",
        "email": "rea@example.net",
        "first_name": "Rea",
        "last_name": "Dern",
        "date_joined": reader.date_joined.isoformat(),
        "last_login": None,
    }
    assert data["profile"]["display_name"] == "Rea D."
    assert data["profile"]["website"] == "https://rea.example"
    assert data["profile"]["avatar_url"].startswith("http")
    assert {a["email"] for a in data["email_addresses"]} == {
        "rea@example.net",
        "old-rea@example.net",
    }
    [social] = data["social_accounts"]
    assert social["provider"] == "github" and social["uid"] == "4242"
    assert social["extra_data"] == {
        "login": "rea",
        "nested": {"ok": 1},
        "list": [{"name": "kept"}],
    }
    assert [c["id"] for c in data["comments"]] == [by_account.pk, by_old_address.pk]
    first = data["comments"][0]
    assert first["post"] == {
        "title": "On harbours",
        "url": settings.SITE_URL + post.get_absolute_url(),
    }
    assert first["permalink"] == f"{settings.SITE_URL}/comment/{by_account.pk}/"
    assert first["date"] == by_account.created_at.isoformat()
    assert first["ip_address"] == "203.0.113.77"
    assert first["user_agent"] == "Mozilla/5.0 (Test)"
    assert first["author_url"] == "https://ada.example"
    assert first["body"] == "A fair point."
    assert first["status"] == "approved"
    lowered = text.lower()
    assert "password" not in lowered
    assert "token" not in lowered and "secret" not in lowered
    assert reader.password not in text


def test_export_for_a_guest_matches_the_email_in_any_case(post: Post) -> None:
    mine = _comment(post, name="Ada Reader", author_email="Ada@Example.org")
    _comment(post, name="Bob", author_email="bob@example.org")
    _comment(post, name="Nobody", author_email="")

    data = personal_data(email="ada@EXAMPLE.org", user=None)

    assert data["account"] is None and data["profile"] is None
    assert data["email_addresses"] == [] and data["social_accounts"] == []
    assert [c["id"] for c in data["comments"]] == [mine.pk]
    assert data["comments"][0]["author_email"] == "Ada@Example.org"
    # An empty address never matches the comments left without one.
    assert personal_data(email="", user=None)["comments"] == []


def test_export_takes_one_query_per_kind_whatever_the_number_of_comments(
    post: Post, reader: User
) -> None:
    _comment(post, name="Rea", user=reader)
    with CaptureQueriesContext(connection) as few:
        personal_data(email=reader.email, user=reader)
    for n in range(5):
        _comment(post, name="Rea", user=reader, body=f"Another {n}.")
    other = PostFactory(title="Another essay")
    _comment(other, name="Rea", author_email="rea@example.net")
    with CaptureQueriesContext(connection) as many:
        data = personal_data(email=reader.email, user=reader)
    assert len(data["comments"]) == 7
    # addresses, social accounts, comments, the account; the corrections (corrections.privacy);
    # context notes and note ratings (notes.privacy); comment likes, essay likes and reports
    # (moderation.privacy)
    assert len(many) == len(few) <= 10


# --- erasure --------------------------------------------------------------------------


def test_erase_keeping_the_text_anonymises_every_comment(post: Post) -> None:
    v4 = _comment(post, name="Ada Reader", author_email="ada@example.org")
    v6 = _comment(
        post, name="Ada Reader", author_email="ADA@example.org", ip_address="2001:db8:abcd:12::7"
    )
    pending = _comment(post, name="Ada Reader", status="pending", body="Held.")
    other = _comment(post, name="Bob", author_email="bob@example.org")
    before = _count(post)

    counts = personal_data_erase(email="ada@example.org", user=None, remove_text=False)

    assert counts["comments_anonymised"] == 3 and counts["comments_removed"] == 0
    for comment in (v4, v6, pending):
        comment.refresh_from_db()
        assert comment.author_name == "Anonymous"
        assert comment.author_email == comment.author_url == comment.user_agent == ""
        assert comment.user_id is None
        assert comment.body != ""
    assert v4.ip_address == "203.0.113.0"
    assert v6.ip_address == "2001:db8:abcd::"
    assert pending.body == "Held." and pending.status == "pending"
    other.refresh_from_db()
    assert other.author_name == "Bob" and other.ip_address == "203.0.113.77"
    assert _count(post) == before == _real_count(post)
    # Nor does the page keep showing the name through the comments' stored cards.
    assert "Anonymous" in v4.card_html and "Ada Reader" not in v4.card_html
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "Ada Reader" not in html and "Bob" in html


def test_erase_removing_the_text_keeps_tombstones_only_where_others_replied(post: Post) -> None:
    answered = _comment(post, name="Ada Reader", body="Answered.")
    reply = _comment(post, parent=answered, name="Bob", author_email="bob@example.org")
    alone = _comment(post, name="Ada Reader", body="Alone.")
    own_thread = _comment(post, name="Ada Reader", body="Top.")
    own_reply = _comment(post, parent=own_thread, name="Ada Reader", body="Me again.")
    pending = _comment(post, name="Ada Reader", status="pending")
    assert _count(post) == 5

    counts = personal_data_erase(email="ada@example.org", user=None, remove_text=True)

    assert counts["comments_tombstoned"] == 1
    assert counts["comments_removed"] == 4
    answered.refresh_from_db()
    assert answered.removed and answered.body == "" and answered.author_name == ""
    assert answered.ip_address is None
    assert Comment.objects.filter(pk=reply.pk).exists()
    gone = [alone.pk, own_thread.pk, own_reply.pk, pending.pk]
    assert not Comment.objects.filter(pk__in=gone).exists()
    # Left: Bob's reply (counted) under the tombstone (not counted).
    assert _count(post) == 1 == _real_count(post)


def test_a_site_can_refuse_the_removal_of_text(client: Client, post: Post, settings: Any) -> None:
    settings.PRIVACY_ALLOW_COMMENT_REMOVAL = False
    comment = _comment(post, name="Ada Reader")

    personal_data_erase(email="ada@example.org", user=None, remove_text=True)

    comment.refresh_from_db()
    assert comment.body == "A fair point." and comment.author_name == "Anonymous"
    user = User.objects.create_user("sam", "sam@example.net", PASSWORD)
    client.force_login(user)
    html = client.get("/accounts/data/").content.decode()
    assert "comments stay, signed" in html
    assert "Remove the text of my comments" not in html


# --- account holders ------------------------------------------------------------------


def test_the_account_page_explains_and_offers_download_and_erasure(
    client: Client, post: Post, reader: User
) -> None:
    _comment(post, name="Rea", user=reader, author_email="rea@example.net")
    assert client.get("/accounts/data/").status_code == 302  # sign-in first
    client.force_login(reader)
    response = client.get("/accounts/data/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'href="/accounts/data/">Your data</a>' in html
    for text in (
        "Download my data",
        "Erase my account",
        "Keep my comments, anonymised",
        "Remove the text of my comments",
        "On harbours",
    ):
        assert text in html

    download = client.post("/accounts/data/download/")
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    assert "no-store" in download["Cache-Control"]
    data = json.loads(download.content)
    assert data["format"] == "broadsheet-personal-data/1"
    assert data["account"]["username"] == "rea" and len(data["comments"]) == 1
    assert client.get("/accounts/data/download/").status_code == 405


def test_download_and_erase_are_csrf_protected(reader: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post("/accounts/data/download/").status_code == 403
    assert client.post("/accounts/data/erase/", {"confirm": "on"}).status_code == 403
    assert User.objects.filter(pk=reader.pk).exists()


def test_erase_without_confirmation_says_so_next_to_the_field(client: Client, reader: User) -> None:
    client.force_login(reader)
    response = client.post("/accounts/data/erase/", {"text": "keep"})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'class="has-error">\s*<input type="checkbox" name="confirm"[^>]*>.*?'
        r"Tick this box to confirm",
        html,
        re.S,
    )
    assert User.objects.filter(pk=reader.pk).exists()


def test_erase_the_account_removing_text_then_signed_out(
    client: Client, post: Post, reader: User
) -> None:
    answered = _comment(post, name="Rea", user=reader, author_email="rea@example.net")
    _comment(post, parent=answered, name="Bob", author_email="bob@example.org")
    _comment(post, name="Rea", author_email="old-rea@example.net", body="From the old address.")
    client.force_login(reader)

    response = client.post(
        "/accounts/data/erase/", {"text": "remove", "confirm": "on"}, follow=True
    )

    assert response.redirect_chain == [("/", 302)]
    assert "Your account and personal data were erased." in response.content.decode()
    assert not User.objects.filter(pk=reader.pk).exists()
    assert not Profile.objects.filter(user_id=reader.pk).exists()
    assert not EmailAddress.objects.filter(user_id=reader.pk).exists()
    assert not SocialAccount.objects.filter(user_id=reader.pk).exists()
    assert not SocialToken.objects.exists()
    answered.refresh_from_db()
    assert answered.removed and answered.user_id is None
    assert not Comment.objects.filter(body="From the old address.").exists()
    assert _count(post) == 1 == _real_count(post)
    assert client.get("/accounts/data/").status_code == 302  # signed out


def test_erase_the_account_keeping_text(client: Client, post: Post, reader: User) -> None:
    comment = _comment(post, name="Rea", user=reader, author_email="rea@example.net")
    client.force_login(reader)
    response = client.post("/accounts/data/erase/", {"text": "keep", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/"
    comment.refresh_from_db()
    assert comment.author_name == "Anonymous" and comment.user_id is None
    assert comment.body == "A fair point." and comment.ip_address == "203.0.113.0"
    assert _count(post) == 1
    assert not User.objects.filter(pk=reader.pk).exists()


def test_an_author_of_essays_cannot_erase_the_account_here(
    client: Client, author: User, post: Post
) -> None:
    client.force_login(author)
    assert "credited as an author" in client.get("/accounts/data/").content.decode()
    response = client.post("/accounts/data/erase/", {"text": "keep", "confirm": "on"})
    assert response.status_code == 200
    assert "credited as an author" in response.content.decode()
    assert User.objects.filter(pk=author.pk).exists()


# --- guests ---------------------------------------------------------------------------


def _worker_round() -> None:
    """What `broadsheet worker` does: run queued tasks, and send the email they queued."""
    call_command("worker", "--once", "--interval", "1")


@pytest.mark.django_db(transaction=True)  # the link is queued after the request commits
def test_guest_flow_end_to_end_with_a_real_mail_server(
    client: Client,
    post: Post,
    smtp_server: Any,  # noqa: F811 - the fixture
) -> None:
    comment = _comment(post, name="Ada Reader", author_email="Ada@Example.org")

    page = client.get("/personal-data/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    response = client.post("/personal-data/", {"email": "ada@example.org"})
    assert response.status_code == 200
    assert NEUTRAL in response.content.decode()

    assert smtp_server.messages == []  # nothing is sent while the request runs
    _worker_round()
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ada@example.org"
    assert smtp_server.body(message, "html") is not None
    [link] = smtp_server.links(message)
    assert link.startswith(f"{settings.SITE_URL}/personal-data/")
    path = _path(link)

    guest = client.get(path)
    html = guest.content.decode()
    assert guest.status_code == 200 and "no-store" in guest["Cache-Control"]
    assert "On harbours" in html and "Keep my comments, anonymised" in html

    download = client.post(f"{path}download/")
    assert download["Content-Type"] == "application/json"
    data = json.loads(download.content)
    assert data["account"] is None and [c["id"] for c in data["comments"]] == [comment.pk]

    refused = client.post(f"{path}erase/", {"text": "keep"})
    assert "Tick this box to confirm" in refused.content.decode()
    done = client.post(f"{path}erase/", {"text": "keep", "confirm": "on"}, follow=True)
    assert done.redirect_chain == [(path, 302)]
    assert "We hold no comments for this address." in done.content.decode()
    comment.refresh_from_db()
    assert comment.author_name == "Anonymous" and comment.author_email == ""


@pytest.mark.django_db(transaction=True)
def test_unknown_addresses_get_the_same_answer_the_same_work_and_no_mail(
    client: Client,
    post: Post,
    smtp_server: Any,  # noqa: F811 - the fixture
) -> None:
    _comment(post, name="Ada Reader", author_email="ada@example.org")
    client.post("/personal-data/", {"email": "warm@example.org"})  # settings read and kept
    answers, statements = [], []
    for email in ("ada@example.org", "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries:
            answers.append(client.post("/personal-data/", {"email": email}).content.decode())
        statements.append([re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in queries])
    assert NEUTRAL in answers[1]
    assert _without_csrf(answers[0]) == _without_csrf(answers[1])
    # Whether the address is known is not even looked up in the request: it does the same.
    assert statements[0] == statements[1]
    _worker_round()
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["ada@example.org"]
    _worker_round()
    assert len(smtp_server.messages) == 1


def test_a_forged_token_is_refused(client: Client, post: Post) -> None:
    comment = _comment(post, name="Ada Reader")
    forged = signing.dumps({"email": "ada@example.org"}, salt="not.the.privacy.salt")
    for path in (
        f"/personal-data/{forged}/",
        "/personal-data/not-a-token/",
        f"/personal-data/{'x' * 10_000}/",
    ):
        response = client.get(path)
        assert response.status_code == 400
        html = response.content.decode()
        assert INVALID in html and 'href="/personal-data/"' in html
    erase = client.post(f"/personal-data/{forged}/erase/", {"text": "remove", "confirm": "on"})
    assert erase.status_code == 400
    assert client.post(f"/personal-data/{forged}/download/").status_code == 400
    comment.refresh_from_db()
    assert comment.author_name == "Ada Reader"


def test_an_expired_link_is_refused(
    client: Client, post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    _comment(post, name="Ada Reader")
    token = privacy_token(email="ada@example.org")
    assert client.get(f"/personal-data/{token}/").status_code == 200
    monkeypatch.setattr(privacy, "PRIVACY_LINK_MAX_AGE", 0)
    time.sleep(1)
    response = client.get(f"/personal-data/{token}/")
    assert response.status_code == 400 and INVALID in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_link_requests_are_rate_limited_per_address_and_per_ip(
    client: Client,
    post: Post,
    smtp_server: Any,  # noqa: F811 - the fixture
) -> None:
    _comment(post, name="Ada Reader")
    _comment(post, name="Bea Reader", author_email="bea@example.org")
    for n in range(7):  # from different IPs, so only the address's own limit applies
        response = client.post(
            "/personal-data/", {"email": "ada@example.org"}, REMOTE_ADDR=f"198.51.100.{n}"
        )
        assert NEUTRAL in response.content.decode()
    _worker_round()
    assert len(smtp_server.wait_for(5)) == 5

    for n in range(5):
        client.post("/personal-data/", {"email": f"x{n}@example.org"}, REMOTE_ADDR="192.0.2.9")
    response = client.post("/personal-data/", {"email": "bea@example.org"}, REMOTE_ADDR="192.0.2.9")
    assert NEUTRAL in response.content.decode()
    _worker_round()
    assert len(smtp_server.messages) == 5  # the IP has used up its hour: nothing for bea


@pytest.mark.parametrize(
    "email",
    [
        "<script>alert(1)</script>",
        "<script>alert(1)</script>@example.org",
        "a" * 10_000,
        "a" * 9_980 + "@example.org",
        "ada@example.org\nBcc: victim@example.org",
        "",
    ],
)
def test_hostile_input_in_the_email_field_is_a_clear_error(
    client: Client, email: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        response = client.post("/personal-data/", {"email": email})
    assert queued == []  # no link task
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert 'class="field-error"' in html
    assert NEUTRAL not in html
