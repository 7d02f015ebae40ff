"""Signing in from an embed: the popup starts only from an allowed origin's POST, ends by
handing over a token bound to that origin, and the API knows the reader by it."""

from __future__ import annotations

import json
import time
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.http import HttpRequest, JsonResponse
from django.test import RequestFactory

from broadsheet.embed.middleware import SIGN_IN_ORIGIN_KEY, EmbedTokenMiddleware
from broadsheet.embed.tokens import PREFIX, TOKEN_MINUTES, token_issue, token_read
from tests.factories import verified_reader

pytestmark = pytest.mark.django_db

BLOG = "https://blog.example.org"


@pytest.fixture(autouse=True)
def _allowed(settings: Any) -> None:
    settings.EMBED_ALLOWED_ORIGINS = [BLOG]


def test_a_sign_in_starts_from_an_allowed_origin_and_remembers_it(client: Any) -> None:
    response = client.post("/embed/sign-in/site/", {"origin": BLOG}, HTTP_ORIGIN=BLOG)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=%2Fembed%2Fsign-in%2Fdone%2F")
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert client.session[SIGN_IN_ORIGIN_KEY] == BLOG
    login_page = client.get(response["Location"])
    assert login_page["Cross-Origin-Opener-Policy"] == "unsafe-none"  # the opener stays reachable


@pytest.mark.parametrize(
    ("header", "posted"),
    [
        ("https://evil.example.org", "https://evil.example.org"),
        ("https://evil.example.org", BLOG),  # a foreign page naming an allowed one
        (BLOG, "https://evil.example.org"),
        (None, BLOG),
        ("null", BLOG),
        (BLOG, "<script>alert(1)</script>"),
    ],
)
def test_a_sign_in_from_anywhere_else_is_refused(client: Any, header: Any, posted: str) -> None:
    extra = {"HTTP_ORIGIN": header} if header else {}
    response = client.post("/embed/sign-in/site/", {"origin": posted}, **extra)
    assert response.status_code == 403
    assert SIGN_IN_ORIGIN_KEY not in client.session


def test_a_sign_in_cannot_start_with_a_get(client: Any) -> None:
    assert client.get("/embed/sign-in/site/", HTTP_ORIGIN=BLOG).status_code == 405


def test_an_unknown_provider_is_not_found(client: Any) -> None:
    response = client.post("/embed/sign-in/nope/", {"origin": BLOG}, HTTP_ORIGIN=BLOG)
    assert response.status_code == 404


def test_the_popup_ends_with_a_token_for_the_origin_that_started_it(client: Any) -> None:
    reader = verified_reader("maya")
    client.post("/embed/sign-in/site/", {"origin": BLOG}, HTTP_ORIGIN=BLOG)
    client.force_login(reader)
    session = client.session
    session[SIGN_IN_ORIGIN_KEY] = BLOG  # force_login starts a new session
    session.save()
    page = client.get("/embed/sign-in/done/")
    assert page["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert f'data-origin="{BLOG}"' in html and "broadsheet/embed/done.js" in html
    token = html.split('data-token="', 1)[1].split('"', 1)[0]
    held = token_read(token)
    assert held is not None and held.user_id == reader.pk and held.origin == BLOG
    assert SIGN_IN_ORIGIN_KEY not in client.session  # one token per sign-in


def test_the_popup_hands_nothing_to_a_guest_or_without_a_started_sign_in(client: Any) -> None:
    assert 'data-token=""' in client.get("/embed/sign-in/done/").content.decode()
    client.force_login(verified_reader("maya"))
    assert 'data-token=""' in client.get("/embed/sign-in/done/").content.decode()


def _seen_by_the_api(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"user": request.user.pk, "auth": request.headers.get("Authorization")})


def _through(token: str, origin: str | None, path: str = "/api/v1/comments") -> Any:
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    request = RequestFactory().post(path, HTTP_AUTHORIZATION=f"Bearer {token}", **extra)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return EmbedTokenMiddleware(_seen_by_the_api)(request)


def test_the_api_sees_the_reader_of_a_token_from_its_own_origin() -> None:
    reader = verified_reader("maya")
    response = _through(token_issue(user_id=reader.pk, origin=BLOG, provider="Local OIDC"), BLOG)
    assert response.status_code == 200
    assert json.loads(response.content) == {"user": reader.pk, "auth": None}


@pytest.mark.parametrize("origin", ["https://evil.example.org", None, "null", BLOG + "/"])
def test_a_token_used_from_another_origin_is_refused(origin: Any) -> None:
    reader = verified_reader("maya")
    response = _through(token_issue(user_id=reader.pk, origin=BLOG, provider="x"), origin)
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"] == "token_invalid"


def test_forged_and_malformed_tokens_are_refused() -> None:
    reader = verified_reader("maya")
    forged = PREFIX + signing.dumps({"u": reader.pk, "o": BLOG, "p": "x"}, salt="another")
    tampered = token_issue(user_id=reader.pk, origin=BLOG, provider="x")[:-2] + "AA"
    not_a_dict = PREFIX + signing.dumps([reader.pk], salt="broadsheet.embed.token")
    for token in [forged, tampered, not_a_dict, PREFIX, PREFIX + "x" * 2000, PREFIX + "\x00"]:
        assert _through(token, BLOG).status_code == 401


def test_a_token_lasts_its_minutes_and_no_longer() -> None:
    reader = verified_reader("maya")
    issued = time.time() - TOKEN_MINUTES * 60 - 5
    with mock.patch("django.core.signing.time.time", return_value=issued):
        expired = token_issue(user_id=reader.pk, origin=BLOG, provider="x")
    with mock.patch("django.core.signing.time.time", return_value=issued + 10):
        fresh = token_issue(user_id=reader.pk, origin=BLOG, provider="x")
    assert token_read(expired) is None
    assert _through(expired, BLOG).status_code == 401
    with mock.patch("django.core.signing.time.time", return_value=issued + 20):
        assert token_read(fresh) is not None


def test_a_deactivated_reader_token_no_longer_works() -> None:
    reader = verified_reader("maya")
    token = token_issue(user_id=reader.pk, origin=BLOG, provider="x")
    reader.is_active = False
    reader.save()
    assert _through(token, BLOG).status_code == 401


def test_personal_access_tokens_are_left_to_the_api() -> None:
    response = _through("bs_someone_elses_kind", BLOG)
    assert json.loads(response.content)["auth"] == "Bearer bs_someone_elses_kind"


NONCE = "0123456789abcdef" * 2


def _claim(client: Any, nonce: str, origin: str | None = BLOG) -> Any:
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(
        "/embed/sign-in/claim", {"nonce": nonce}, content_type="application/json", **extra
    )


def _signed_in_through_the_popup(client: Any) -> Any:
    reader = verified_reader("maya")
    client.post("/embed/sign-in/site/", {"origin": BLOG, "nonce": NONCE}, HTTP_ORIGIN=BLOG)
    kept = dict(client.session)
    client.force_login(reader)
    session = client.session
    session.update(kept)
    session.save()
    client.get("/embed/sign-in/done/")
    return reader


def test_a_page_cut_off_from_its_popup_claims_the_token_once_with_its_nonce(client: Any) -> None:
    reader = _signed_in_through_the_popup(client)
    from django.test import Client

    page = Client()  # the embedding page: no cookie of the site
    assert _claim(page, NONCE, origin="https://evil.example.org").status_code == 403
    assert _claim(page, NONCE[:-1] + "0").status_code == 202
    answer = _claim(page, NONCE)
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == BLOG
    held = token_read(answer.json()["token"])
    assert held is not None and held.user_id == reader.pk and held.origin == BLOG
    assert _claim(page, NONCE).status_code == 202  # once


@pytest.mark.parametrize("nonce", ["", "short", "Z" * 32, NONCE + "\x00", "a" * 5000])
def test_malformed_nonces_wait_and_never_fail(client: Any, nonce: str) -> None:
    assert _claim(client, nonce).status_code == 202


def test_claims_that_are_not_json_are_answered_as_waiting(client: Any) -> None:
    for body, kind in [(b"nonce=" + NONCE.encode(), "application/x-www-form-urlencoded"),
                       (b"[1, 2]", "application/json"), (b"\xff\xfe", "application/json")]:  # fmt: skip
        response = client.post("/embed/sign-in/claim", body, content_type=kind, HTTP_ORIGIN=BLOG)
        assert response.status_code == 202


def test_a_reader_comments_through_the_api_with_the_token_and_no_cookie(client: Any) -> None:
    reader = verified_reader("maya")
    token = token_issue(user_id=reader.pk, origin=BLOG, provider="Local OIDC")
    payload = {"url": f"{BLOG}/2026/hello/", "title": "Hello", "body": "Signed-in words."}
    answer = client.post(
        "/api/v1/comments",
        payload,
        content_type="application/json",
        HTTP_ORIGIN=BLOG,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 201, answer.content
    assert answer["Access-Control-Allow-Origin"] == BLOG
    from broadsheet.discussion.models import Comment

    assert Comment.objects.get(body="Signed-in words.").user == reader
    assert not answer.json().get("edit_key")  # a reader's own comment, not a guest's


def test_a_forged_token_never_reaches_the_api_as_a_guest(client: Any) -> None:
    answer = client.post(
        "/api/v1/comments",
        {
            "url": f"{BLOG}/2026/hello/",
            "title": "Hello",
            "body": "x",
            "name": "A",
            "email": "a@b.org",
        },
        content_type="application/json",
        HTTP_ORIGIN=BLOG,
        HTTP_AUTHORIZATION=f"Bearer {PREFIX}forged",
    )
    assert answer.status_code == 401
    assert answer["Access-Control-Allow-Origin"] == BLOG  # the page can read why
    from broadsheet.discussion.models import Comment

    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"origin=" + b"x" * 200_000, b"\xff\xfe\x00", b'{"origin": "https://blog.example.org"}'],
)
def test_hostile_sign_in_starts_are_refused_never_a_500(client: Any, body: bytes) -> None:
    for path in ("/embed/sign-in/site/", "/embed/sign-in/claim"):
        response = client.post(
            path, body, content_type="application/x-www-form-urlencoded", HTTP_ORIGIN=BLOG
        )
        assert response.status_code in (202, 400, 403)
