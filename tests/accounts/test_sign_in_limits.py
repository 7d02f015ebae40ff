"""Every way in counts against the same limits, and the comment form's sign-in refuses other
sites: the admin's sign-in, allauth's, the comment form's buttons, sign-in codes and resets."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from broadsheet.accounts.comment_login import DRAFT_KEY
from broadsheet.accounts.models import User
from broadsheet.discussion.services import MAX_BODY, MAX_EMAIL, MAX_NAME, MAX_URL
from broadsheet.publishing.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts"
EVIL = "https://evil.example"


@pytest.fixture
def admin_account(db: None) -> User:
    user = User.objects.create_superuser("admin", "admin@example.org", "the right pass phrase 42")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps", authors=[author])


def _admin_login(client: Client, password: str) -> Any:
    return client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": password}, follow=False
    )


def test_the_admin_sign_in_locks_after_five_wrong_passwords(
    client: Client, admin_account: User
) -> None:
    for _ in range(5):
        response = _admin_login(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    locked = _admin_login(client, "wrong")
    assert TOO_MANY in locked.content.decode()
    # Locked means locked: even the right password is refused until the window passes.
    right = _admin_login(client, "the right pass phrase 42")
    assert right.status_code == 200 and TOO_MANY in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_and_allauth_sign_ins_share_one_counter(
    client: Client, admin_account: User
) -> None:
    for _ in range(3):
        _admin_login(client, "wrong")
    for _ in range(2):
        client.post("/accounts/login/", {"login": "admin", "password": "wrong"})
    # Five failures across the two forms: both are closed for `admin`.
    assert TOO_MANY in _admin_login(client, "the right pass phrase 42").content.decode()
    refused = client.post("/accounts/login/", {"login": "admin", "password": "wrong"})
    assert TOO_MANY in refused.content.decode()


def test_a_right_password_on_the_admin_still_signs_in(client: Client, admin_account: User) -> None:
    response = _admin_login(client, "the right pass phrase 42")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(admin_account.pk)


def test_a_hostile_admin_sign_in_is_a_form_error_not_a_500(
    client: Client, admin_account: User
) -> None:
    for data in (
        {"username": "admin" * 10_000, "password": "x" * 100_000},
        {"username": "", "password": ""},
        {},
    ):
        response = client.post("/admin/login/", data)
        assert response.status_code == 200, data
    invalid_utf8 = client.post(
        "/admin/login/",
        b"username=%ff%fe%00&password=%c3%28&username=again",
        content_type="application/x-www-form-urlencoded",
    )
    assert invalid_utf8.status_code in (200, 400)
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_counts_against_the_per_address_limit(
    client: Client, admin_account: User, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for _ in range(3):
        _admin_login(client, "the right pass phrase 42")
        client.logout()
    assert TOO_MANY in _admin_login(client, "the right pass phrase 42").content.decode()


def test_sign_in_codes_and_password_resets_are_limited_per_address(
    client: Client, admin_account: User
) -> None:
    # Each request from a fresh browser (a pending code would otherwise hold the session).
    for _ in range(3):
        Client().post("/accounts/login/code/", {"email": "admin@example.org"})
    refused = Client().post("/accounts/login/code/", {"email": "admin@example.org"})
    assert refused.status_code == 200 and TOO_MANY in refused.content.decode()
    for _ in range(5):
        Client().post("/accounts/password/reset/", {"email": "admin@example.org"})
    reset = Client().post("/accounts/password/reset/", {"email": "admin@example.org"})
    assert reset.status_code == 429 and "Too many attempts" in reset.content.decode()


def test_the_comment_forms_sign_in_is_limited_per_address(
    client: Client, post: Post, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    data = {"provider": "site", "post_id": post.pk}
    for _ in range(3):
        assert client.post("/accounts/comment-login/", data).status_code == 302
    assert client.post("/accounts/comment-login/", data).status_code == 429
    assert client.post("/accounts/comment-login/site/popup/").status_code == 429


# --- the comment form's sign-in: origin, draft, POST only ----------------------------------


def test_a_cross_site_form_cannot_replace_the_session_or_plant_a_draft(
    client: Client, post: Post, author: Any
) -> None:
    client.force_login(author)  # a signed-in reader visits another site
    before = client.cookies["sessionid"].value
    response = client.post(
        "/accounts/comment-login/",
        {"provider": "site", "post_id": post.pk, "author": "Planted", "comment": "Planted"},
        headers={"Origin": EVIL},
    )
    assert response.status_code == 403
    assert "only be started from this site" in response.content.decode()
    assert "sessionid" not in response.cookies  # the reader's session cookie is left alone
    assert client.cookies["sessionid"].value == before
    assert DRAFT_KEY not in client.session
    assert client.session["_auth_user_id"] == str(author.pk)


@pytest.mark.parametrize("origin", [EVIL, "null", "http://testserver.evil.example"])
def test_the_popup_start_refuses_other_origins(client: Client, db: None, origin: str) -> None:
    response = client.post("/accounts/comment-login/site/popup/", headers={"Origin": origin})
    assert response.status_code == 403


def test_the_same_site_origin_is_accepted(client: Client, post: Post) -> None:
    response = client.post(
        "/accounts/comment-login/",
        {"provider": "site", "post_id": post.pk, "comment": "Mine"},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 302
    assert client.session[DRAFT_KEY]["comment"] == "Mine"


def test_the_popup_starts_only_with_a_post(client: Client, db: None) -> None:
    assert client.get("/accounts/comment-login/site/popup/").status_code == 405
    started = client.post("/accounts/comment-login/site/popup/")
    assert started.status_code == 302
    assert started["Location"] == "/accounts/login/?next=%2Faccounts%2Fpopup-done%2F"


def test_the_kept_draft_is_cut_to_the_forms_own_limits(client: Client, post: Post) -> None:
    huge = "x" * 70_000
    response = client.post(
        "/accounts/comment-login/",
        {
            "provider": "site", "post_id": post.pk, "comment": huge * 2, "author": huge,
            "email": huge, "url": huge, "parent_id": huge, "extra": huge,
        },
    )  # fmt: skip
    assert response.status_code == 302
    draft = client.session[DRAFT_KEY]
    assert set(draft) == {"comment", "author", "email", "url", "parent_id", "post_id"}
    assert len(draft["comment"]) == MAX_BODY
    assert (len(draft["author"]), len(draft["email"]), len(draft["url"])) == (
        MAX_NAME,
        MAX_EMAIL,
        MAX_URL,
    )
    assert draft["parent_id"] == ""  # not a number: dropped
    # The draft comes back to the form, within the field's limit (and harmlessly).
    page = client.get(post.get_absolute_url()).content.decode()
    assert "x" * MAX_BODY in page and "x" * (MAX_BODY + 1) not in page


def test_a_signed_in_reader_needs_the_pages_token(client: Client, post: Post, author: Any) -> None:
    client.force_login(author)
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(author)
    refused = csrf.post("/accounts/comment-login/", {"provider": "site", "post_id": post.pk})
    assert refused.status_code == 403
    assert csrf.post("/accounts/comment-login/site/popup/").status_code == 403
    # With the token their page carries (the script copies it into the popup's form): allowed.
    page = csrf.get(post.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    started = csrf.post(
        "/accounts/comment-login/site/popup/", {"csrfmiddlewaretoken": token.group(1)}
    )
    assert started.status_code == 302


@pytest.mark.parametrize("provider", ["nope", "x" * 3000, "%C3%A9", "site%00", "..%2F..%2Fadmin"])
def test_an_unknown_popup_provider_starts_nothing(client: Client, db: None, provider: str) -> None:
    response = client.post(f"/accounts/comment-login/{provider}/popup/")
    # 404, or refused before (a NUL byte: 400; a path that leaves /accounts/: not a sign-in)
    assert response.status_code in (400, 404, 405)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [
        {"provider": "site", "post_id": "\x00"},
        {"provider": "site" * 1000, "post_id": "1" * 5000},
        {"provider": ["site", "oidc"], "post_id": ["1", "2"]},
        {"post_id": "-1"},
        {},
    ],
)
def test_hostile_comment_sign_ins_are_never_a_500(
    client: Client, post: Post, data: dict[str, Any]
) -> None:
    response = client.post("/accounts/comment-login/", data)
    assert response.status_code in (302, 400, 404)
    assert DRAFT_KEY not in client.session or response.status_code == 302


@pytest.mark.parametrize("value", ["²", "1" * 5000, "-1", "1e3", "\x00"])
def test_the_identity_part_takes_only_real_ids(client: Client, db: None, value: str) -> None:
    assert client.get("/comments/identity/", {"post": value}).status_code in (400, 404)
