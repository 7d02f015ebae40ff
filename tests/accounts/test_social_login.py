"""Signing in from the comment form through a real OpenID Connect provider on 127.0.0.1.

The reader's browser is played by Django's test client on our side and `requests` on the
provider's side; the token exchange between the two servers is real HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from broadsheet.accounts.comment_login import forget_login_options
from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from tests.accounts.oidc import ALLAUTH_CALLBACK_PATH, OIDCProvider, start_oidc_provider
from tests.discussion.test_views import _form
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def idp() -> Iterator[OIDCProvider]:
    uris = [
        f"http://{host}{ALLAUTH_CALLBACK_PATH}" for host in ("testserver", "127.0.0.1", "localhost")
    ]
    with start_oidc_provider(uris) as provider:
        yield provider


@pytest.fixture
def post(author: Any, idp: OIDCProvider, settings: Any) -> Post:
    settings.SOCIALACCOUNT_PROVIDERS = idp.allauth_settings()
    forget_login_options()
    return PostFactory(title="Lamps", authors=[author])


def _at_provider(authorize_url: str, username: str, password: str, *, cancel: bool = False) -> str:
    """Sign in at the provider like a person would; return where it sends the browser back."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = requests.compat.urljoin(url, response.headers["Location"])
            if not url.startswith(authorize_url.split("/o/")[0]):
                return url
            continue
        page = response.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        if 'name="username"' in page:
            data = {
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
            }
        else:  # the consent screen: send its hidden fields back, with Authorize or Cancel
            data = {
                unescape(n): unescape(v)
                for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
            }
            if not cancel:
                data["allow"] = "Authorize"
        response = browser.post(url, data=data, allow_redirects=False, timeout=10)
        url = requests.compat.urljoin(url, response.headers["Location"])
        if not url.startswith(authorize_url.split("/o/")[0]):
            return url
    raise AssertionError("the provider never sent the browser back")


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _start(client: Client, post: Post, **fields: Any) -> str:
    data = {
        "provider": "oidc",
        "post_id": post.pk,
        "comment": "My careful draft, typed before signing in.",
        "parent_id": "0",
    }
    data.update(fields)
    response = client.post("/accounts/comment-login/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1")
    return str(response["Location"])


def test_the_form_shows_the_provider_icon_with_the_site_account_first(
    client: Client, post: Post
) -> None:
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Fill in your details below or click an icon to log in:" in html
    icons = re.findall(r'name="provider" value="([^"]+)"', html)
    assert icons == ["site", "oidc"]
    assert html.index("click an icon to log in") < html.index(
        'name="author"'
    )  # icons above the guest fields


def test_redirect_flow_signs_in_and_keeps_the_draft(
    client: Client, post: Post, idp: OIDCProvider
) -> None:
    authorize = _start(client, post)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"]  # PKCE and state
    back = _at_provider(authorize, idp.username, idp.password)
    assert back.startswith(f"http://testserver{ALLAUTH_CALLBACK_PATH}")
    finished = client.get(_local(back))
    assert finished.status_code == 302 and finished["Location"].endswith(
        f"{post.get_absolute_url()}#respond"
    )

    page = client.get(post.get_absolute_url()).content.decode()
    assert "You are commenting using your Local OIDC account." in page
    assert "My careful draft, typed before signing in." in page
    assert 'name="author"' not in page
    user = User.objects.get(email=idp.email)
    assert user.profile.remote_avatar_url == ""  # the test provider serves its photo over http  # type: ignore[attr-defined]

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    posted = client.post(
        "/comments/post/", _form(post, comment="Signed in now.", csrfmiddlewaretoken=token.group(1))
    )
    assert posted.status_code == 302
    comment = Comment.objects.get(body="Signed in now.")
    assert comment.user == user and comment.author_email == idp.email

    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        client.get(post.get_absolute_url()).content.decode(),
    )
    assert token
    out = client.post(
        "/accounts/comment-logout/",
        {"csrfmiddlewaretoken": token.group(1), "post_id": post.pk, "comment": "Half a thought"},
    )
    assert out.status_code == 302 and out["Location"] == f"{post.get_absolute_url()}#respond"
    again = client.get(post.get_absolute_url()).content.decode()
    assert "Fill in your details below or click an icon to log in:" in again  # back to state (a)
    assert "Half a thought" in again  # Log Out keeps the draft too


def test_the_draft_is_put_back_once_only(client: Client, post: Post, idp: OIDCProvider) -> None:
    back = _at_provider(_start(client, post), idp.username, idp.password)
    client.get(_local(back))
    assert "My careful draft" in client.get(post.get_absolute_url()).content.decode()
    assert "My careful draft" not in client.get(post.get_absolute_url()).content.decode()


def test_a_tampered_state_ends_on_the_form_with_a_message_and_the_draft(
    client: Client, post: Post, idp: OIDCProvider
) -> None:
    back = _at_provider(_start(client, post), idp.username, idp.password)
    tampered = re.sub(r"state=[^&]+", "state=forged", back)
    response = client.get(_local(tampered), follow=True)
    html = response.content.decode()
    assert response.request["PATH_INFO"] == post.get_absolute_url()
    assert "did not work" in html and "Your comment is still here" in html
    assert "My careful draft, typed before signing in." in html
    assert "_auth_user_id" not in client.session


def test_a_replayed_code_signs_nobody_in(client: Client, post: Post, idp: OIDCProvider) -> None:
    back = _at_provider(_start(client, post), idp.username, idp.password)
    client.get(_local(back))
    client.post("/accounts/logout/")
    replay = client.get(_local(back), follow=True)
    assert "_auth_user_id" not in client.session
    # Not started from a comment form any more (the session ended): allauth's own failure page.
    assert replay.status_code == 401


def test_cancelled_consent_ends_on_the_form_with_the_draft(
    client: Client, post: Post, idp: OIDCProvider, settings: Any
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = idp.allauth_settings(consent=True)
    back = _at_provider(_start(client, post), idp.username, idp.password, cancel=True)
    assert "error=access_denied" in back
    response = client.get(_local(back), follow=True)
    html = response.content.decode()
    assert response.request["PATH_INFO"] == post.get_absolute_url()
    assert "you cancelled" in html and "My careful draft, typed before signing in." in html


def test_a_provider_error_ends_on_the_form(client: Client, post: Post) -> None:
    client.post(
        "/accounts/comment-login/",
        {"provider": "oidc", "post_id": post.pk, "comment": "Draft kept."},
    )
    response = client.get(f"{ALLAUTH_CALLBACK_PATH}?error=server_error&state=whatever", follow=True)
    html = response.content.decode()
    assert response.request["PATH_INFO"] == post.get_absolute_url() and "Draft kept." in html


def test_a_provider_without_email_asks_for_one(
    client: Client, post: Post, idp: OIDCProvider
) -> None:
    back = _at_provider(_start(client, post), idp.noemail_username, idp.noemail_password)
    response = client.get(_local(back), follow=True)
    html = response.content.decode()
    assert response.request["PATH_INFO"] == "/accounts/3rdparty/signup/"
    assert 'name="email"' in html
    assert "_auth_user_id" not in client.session


def test_an_email_that_belongs_to_another_account_is_not_taken_over(
    client: Client, post: Post, idp: OIDCProvider
) -> None:
    User.objects.create_user("owner", idp.email, "a long pass phrase 42")
    back = _at_provider(_start(client, post), idp.username, idp.password)
    response = client.get(_local(back), follow=True)
    # Nobody is signed in, the owner's account is untouched, and the answer gives away nothing
    # (allauth tells the address's owner by email instead): see docs/decisions/0010.
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(email=idp.email).count() == 1
    assert response.request["PATH_INFO"] == "/accounts/confirm-email/"


def test_the_popup_flow_ends_on_a_page_that_tells_the_opener(
    client: Client, post: Post, idp: OIDCProvider
) -> None:
    start = client.post("/accounts/comment-login/oidc/popup/")
    assert start.status_code == 302
    back = _at_provider(str(start["Location"]), idp.username, idp.password)
    done = client.get(_local(back), follow=True)
    assert done.request["PATH_INFO"] == "/accounts/popup-done/"
    assert 'data-ok="1"' in done.content.decode()
    identity = client.get(f"/comments/identity/?post={post.pk}").json()
    assert (
        identity["signed_in"]
        and "You are commenting using your Local OIDC account." in identity["html"]
    )


def test_an_unknown_provider_or_post_is_a_clean_404(client: Client, post: Post) -> None:
    assert (
        client.post(
            "/accounts/comment-login/", {"provider": "nope", "post_id": post.pk}
        ).status_code
        == 404
    )
    assert (
        client.post("/accounts/comment-login/", {"provider": "oidc", "post_id": "x"}).status_code
        == 404
    )
    assert client.post("/accounts/comment-login/nope/popup/").status_code == 404


def test_the_providers_https_photo_and_name_are_kept_on_the_profile(post: Post, rf: Any) -> None:
    from types import SimpleNamespace

    from allauth.account.signals import user_logged_in
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.sessions.backends.db import SessionStore

    user = User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")
    account = SocialAccount(
        user=user, provider="oidc", uid="1",
        extra_data={"userinfo": {"picture": "https://example.net/rea.png", "name": "Rea Der"}, "id_token": {}},
    )  # fmt: skip
    request = rf.get("/")
    request.session = SessionStore()
    user_logged_in.send(
        sender=User, request=request, user=user, sociallogin=SimpleNamespace(account=account)
    )
    user.profile.refresh_from_db()  # type: ignore[attr-defined]
    assert user.profile.remote_avatar_url == "https://example.net/rea.png"  # type: ignore[attr-defined]
    assert user.profile.display_name == "Rea Der"  # type: ignore[attr-defined]
    assert request.session["broadsheet.signed_in_with"] == "Local OIDC"


def test_a_failed_popup_sign_in_reports_the_failure_to_the_page(
    client: Client, post: Post, idp: OIDCProvider, settings: Any
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = idp.allauth_settings(consent=True)
    start = client.post("/accounts/comment-login/oidc/popup/")
    back = _at_provider(str(start["Location"]), idp.username, idp.password, cancel=True)
    done = client.get(_local(back), follow=True)
    html = done.content.decode()
    assert done.request["PATH_INFO"] == "/accounts/popup-done/"
    assert (
        'data-ok="0"' in html and "Signing in with Local OIDC did not work (you cancelled)" in html
    )
    assert "_auth_user_id" not in client.session
