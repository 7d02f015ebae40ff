"""The way in is visible on every page, the same for every anonymous reader (pages are cached
whole), and a sign-in or sign-up started on an essay comes back to it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client

from broadsheet.accounts.comment_login import popup_done_url
from broadsheet.accounts.models import User
from broadsheet.notifications.outbox import outbox_send_due
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 42"


def _sign_in_link(html: str) -> str:
    nav = html.split('<nav class="site-account"', 1)[1].split("</nav>", 1)[0]
    found = re.search(r'<a href="([^"]+)">Sign in</a>', nav)
    assert found, nav
    return found.group(1).replace("&amp;", "&")


def test_every_anonymous_reader_gets_the_same_cached_sign_in_link(
    client: Client, author: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PAGE_CACHE = True
    post = PostFactory(authors=[author])
    url = post.get_absolute_url()
    first = client.get(url)
    again = Client().get(url)
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    link = _sign_in_link(first.content.decode())
    assert link == f"/accounts/login/?next={url}"
    assert _sign_in_link(client.get("/").content.decode()) == "/accounts/login/?next=/"
    # On the sign-in page itself the link does not point back at itself, nor on a missing page.
    assert _sign_in_link(client.get("/accounts/login/").content.decode()) == "/accounts/login/"
    assert _sign_in_link(client.get("/people/nobody/").content.decode()) == "/accounts/login/"
    # Only the address, never its query (a search's words stay out of the link).
    assert _sign_in_link(client.get("/?s=harbours").content.decode()) == "/accounts/login/?next=/"


def test_a_signed_in_reader_sees_their_account_and_a_way_out(client: Client, author: Any) -> None:
    post = PostFactory(authors=[author])
    client.force_login(User.objects.create_user("rea", "rea@example.net", PASSWORD))
    html = client.get(post.get_absolute_url()).content.decode()
    nav = html.split('<nav class="site-account"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/accounts/profile/"' in nav and "Sign out" in nav and "Sign in" not in nav
    assert "Dashboard" not in nav  # only for staff


def test_the_sign_in_window_remembers_the_essay_but_never_another_site(client: Client) -> None:
    response = client.post(
        "/accounts/comment-login/site/popup/", {"next": "/2026/03/14/essay/#respond"}
    )
    login = urlsplit(response["Location"])
    done = parse_qs(login.query)["next"][0]
    assert done == "/accounts/popup-done/?next=%2F2026%2F03%2F14%2Fessay%2F%23respond"
    page = client.get(done).content.decode()
    assert 'data-back="/2026/03/14/essay/#respond"' in page
    for hostile in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post("/accounts/comment-login/site/popup/", {"next": hostile})
        assert parse_qs(urlsplit(response["Location"]).query)["next"] == ["/accounts/popup-done/"]
        assert (
            'data-back=""' in client.get(f"/accounts/popup-done/?next={hostile}").content.decode()
        )


def test_the_verification_email_leads_back_to_the_essay_through_sign_in(
    client: Client, smtp_server: Any, author: Any
) -> None:
    post = PostFactory(authors=[author])
    essay = f"{post.get_absolute_url()}#respond"
    client.post(
        "/accounts/signup/",
        {"email": "rea@example.net", "username": "rea", "password1": PASSWORD,
         "password2": PASSWORD, "next": popup_done_url(essay)},
    )  # fmt: skip
    outbox_send_due()
    [message] = smtp_server.wait_for(1)
    link = next(u for u in smtp_server.links(message) if "/accounts/confirm-email/" in u)
    elsewhere = Client()  # the link opened in another browser: not signed in by it
    confirmed = elsewhere.post(
        urlsplit(link).path, {"next": parse_qs(urlsplit(link).query)["next"][0]}
    )
    assert unquote(confirmed["Location"]) == f"/accounts/login/?next={essay}"
    signed_in = elsewhere.post(
        confirmed["Location"], {"login": "rea", "password": PASSWORD, "next": essay}
    )
    assert signed_in["Location"] == essay


def test_a_sign_up_elsewhere_than_an_essay_keeps_allauths_link(
    client: Client, smtp_server: Any
) -> None:
    client.post(
        "/accounts/signup/",
        {"email": "rea@example.net", "username": "rea", "password1": PASSWORD,
         "password2": PASSWORD, "next": "https://evil.example/"},
    )  # fmt: skip
    outbox_send_due()
    [message] = smtp_server.wait_for(1)
    link = next(u for u in smtp_server.links(message) if "/accounts/confirm-email/" in u)
    assert "?" not in link
