"""Site accounts end to end, with mail read back from a real SMTP server on loopback."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.notifications.outbox import outbox_send_due
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 42"


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _delivered(smtp_server: Any, count: int) -> list[Any]:
    """The request only queued its email (the outbox): nothing was sent while it ran. Send
    what is due, as the worker does, and read it back from the SMTP server."""
    assert smtp_server.messages == []
    outbox_send_due()
    return smtp_server.wait_for(count)


def test_sign_up_verify_the_address_by_email_then_comment_as_the_account(
    client: Client, smtp_server: Any, author: Any
) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "email": "rea@example.net",
            "username": "rea",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    [message] = _delivered(smtp_server, 1)
    assert message["To"] == "rea@example.net"
    confirm = next(
        link for link in smtp_server.links(message) if "/accounts/confirm-email/" in link
    )
    page = client.get(_path(confirm))
    assert page.status_code == 200
    client.post(_path(confirm))
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="rea@example.net").verified
    user = User.objects.get(username="rea")
    assert user.password.startswith("argon2")

    client.post("/accounts/login/", {"login": "rea@example.net", "password": PASSWORD})
    post = PostFactory(authors=[author])
    html = client.get(post.get_absolute_url()).content.decode()
    assert "You are commenting using your" in html
    assert 'name="author"' not in html  # the account speaks for itself: no guest fields


def test_password_reset_by_email_and_no_account_enumeration(
    client: Client, smtp_server: Any
) -> None:
    User.objects.create_user("rea", "rea@example.net", PASSWORD)
    known = client.post(
        "/accounts/password/reset/", {"email": "rea@example.net"}, follow=True
    ).content.decode()
    unknown = client.post(
        "/accounts/password/reset/", {"email": "nobody@example.net"}, follow=True
    ).content.decode()
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", known) == strip.sub("", unknown)  # the same answer either way
    messages = _delivered(smtp_server, 2)
    to_known = next(m for m in messages if m["To"] == "rea@example.net")
    link = next(
        link for link in smtp_server.links(to_known) if "/accounts/password/reset/key/" in link
    )
    form_page = client.get(_path(link), follow=True)
    action = form_page.request["PATH_INFO"]
    done = client.post(
        action, {"password1": "another long phrase 77", "password2": "another long phrase 77"}
    )
    assert done.status_code == 302
    assert User.objects.get(username="rea").check_password("another long phrase 77")


def test_failed_logins_are_rate_limited_per_account_and_per_address(client: Client) -> None:
    User.objects.create_user("rea", "rea@example.net", PASSWORD)
    for i in range(5):
        client.post("/accounts/login/", {"login": "rea", "password": f"wrong {i}"})
    locked = client.post(
        "/accounts/login/", {"login": "rea", "password": PASSWORD}
    ).content.decode()
    assert "Too many failed login attempts" in locked  # even the right password waits now
    # Many attempts from one address, whatever the account, end in 429 Too Many Requests.
    codes = [
        client.post("/accounts/login/", {"login": f"user{i}", "password": "x"}).status_code
        for i in range(40)
    ]
    assert 429 in codes


def test_login_rotates_the_session_and_logout_needs_a_post(client: Client) -> None:
    User.objects.create_user("rea", "rea@example.net", PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=User.objects.get(username="rea"), email="rea@example.net", verified=True, primary=True
    )
    client.get("/accounts/login/")
    before = client.session.session_key
    client.post("/accounts/login/", {"login": "rea", "password": PASSWORD})
    assert client.session.session_key != before
    assert (
        client.get("/accounts/logout/").status_code == 200
    )  # a page asking to confirm, not a logout
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_login_redirects_only_to_this_site(client: Client) -> None:
    User.objects.create_user("rea", "rea@example.net", PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=User.objects.get(username="rea"), email="rea@example.net", verified=True, primary=True
    )
    response = client.post(
        "/accounts/login/?next=https://evil.example/", {"login": "rea", "password": PASSWORD}
    )
    assert response.status_code == 302 and not response["Location"].startswith(
        "https://evil.example"
    )


def test_profile_page_and_public_person_page(client: Client, author: Any) -> None:
    from tests.factories import approved_comment

    reader = User.objects.create_user("rea", "rea@example.net", PASSWORD)
    post = PostFactory(title="Lamps", authors=[author])
    approved_comment(post, user=reader, name="Rea", body="Signed comment.")
    client.force_login(reader)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "Rea Der", "bio": "Reads *logs*.", "website": "example.net/rea"},
    )
    assert response.status_code == 302
    public = Client().get("/people/rea/").content.decode()
    assert "Rea Der" in public and "<em>logs</em>" in public and "Signed comment." in public
    assert "https://example.net/rea" in public and "rea@example.net" not in public
    bad = client.post(
        "/accounts/profile/", {"display_name": "x", "bio": "", "website": "not a url at all"}
    )
    assert bad.status_code == 200 and "Enter a valid URL." in bad.content.decode()


def test_passwordless_sign_in_with_an_emailed_code(client: Client, smtp_server: Any) -> None:
    from allauth.account.models import EmailAddress

    user = User.objects.create_user("rea", "rea@example.net", PASSWORD)
    EmailAddress.objects.create(user=user, email="rea@example.net", verified=True, primary=True)
    assert client.post("/accounts/login/code/", {"email": "rea@example.net"}).status_code == 302
    [message] = _delivered(smtp_server, 1)
    text = smtp_server.body(message, "plain")
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6,})\s*$", text, flags=re.M)
    assert code, text
    response = client.post("/accounts/login/code/confirm/", {"code": code.group(1)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_emails_speak_in_the_sites_name(client: Client, smtp_server: Any) -> None:
    from broadsheet.core.models import SiteSettings

    SiteSettings(title="The Long Margin", tagline="").save()
    client.post(
        "/accounts/signup/",
        {
            "email": "rea@example.net",
            "username": "rea",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    [message] = _delivered(smtp_server, 1)
    assert "The Long Margin" in smtp_server.body(message, "plain")
    assert "testserver!" not in smtp_server.body(message, "plain")


def test_password_change_and_email_change(client: Client, smtp_server: Any) -> None:
    from allauth.account.models import EmailAddress

    user = User.objects.create_user("rea", "rea@example.net", PASSWORD)
    EmailAddress.objects.create(user=user, email="rea@example.net", verified=True, primary=True)
    client.force_login(user)
    changed = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "brand new phrase 99",
            "password2": "brand new phrase 99",
        },
    )
    assert changed.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("brand new phrase 99")
    # A recent sign-in with the password (not force_login): changing email asks for one.
    client.post("/accounts/login/", {"login": "rea", "password": "brand new phrase 99"})
    client.post("/accounts/email/", {"action_add": "", "email": "rea.new@example.net"})
    [message] = _delivered(smtp_server, 1)
    assert message["To"] == "rea.new@example.net"
    assert any("/accounts/confirm-email/" in link for link in smtp_server.links(message))
