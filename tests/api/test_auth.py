"""Personal access tokens: made and revoked on the account page, stored hashed, scoped."""

from __future__ import annotations

import hashlib
from typing import Any

from django.test import Client

from broadsheet.accounts.models import AccessToken, User
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from tests.api.conftest import bearer, post_json
from tests.factories import approved_comment


def test_a_token_is_shown_once_and_kept_only_as_its_hash(client: Client, reader: User) -> None:
    client.force_login(reader)
    response = client.post(
        "/accounts/tokens/", {"name": "My <b>script</b>", "scopes": ["read", "comment"]}
    )
    assert response.status_code == 200
    page = response.content.decode()
    token = AccessToken.objects.get(user=reader)
    secret = page.split('<code class="token-secret">')[1].split("</code>")[0]
    assert secret.startswith("bs_") and secret.startswith(token.prefix)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(AccessToken.objects.values_list().get())
    assert "My &lt;b&gt;script&lt;/b&gt;" in page and token.scopes == ["read", "comment"]
    again = client.get("/accounts/tokens/").content.decode()
    assert secret not in again and token.prefix in again
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_revoked_token_no_longer_works(client: Client, reader: User, essay: Post) -> None:
    headers = bearer(reader, "read")
    assert client.get(f"/api/v1/threads?post={essay.pk}", **headers).status_code == 200
    token = AccessToken.objects.get(user=reader)
    assert token.last_used_at is not None
    client.force_login(reader)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    client.logout()
    refused = client.get(f"/api/v1/threads?post={essay.pk}", **headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"


def test_nobody_revokes_another_readers_token(client: Client, reader: User) -> None:
    bearer(reader, "read")
    other = User.objects.create_user("other", "o@example.net", "another long pass phrase")
    client.force_login(other)
    client.post(f"/accounts/tokens/{AccessToken.objects.get().pk}/revoke/")
    assert AccessToken.objects.get().revoked_at is None


def test_a_token_without_the_scope_is_refused_with_a_code(
    client: Client, reader: User, essay: Post
) -> None:
    read_only = bearer(reader, "read")
    response = post_json(
        client, "/api/v1/comments", {"thread": essay.pk, "body": "Hi"}, **read_only
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    comment_only = bearer(reader, "comment")
    listing = client.get(f"/api/v1/threads/{essay.pk}/comments", **comment_only)
    assert listing.status_code == 403
    assert not Comment.objects.exists()


def test_a_malformed_or_unknown_token_is_refused(client: Client, essay: Post) -> None:
    for header in ("Basic abc", "Bearer", "Bearer bs_" + "x" * 43, "Bearer " + "\u00e9" * 300):
        response = client.get(f"/api/v1/threads?post={essay.pk}", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "invalid_token"


def test_moderators_moderate_and_no_one_else(client: Client, essay: Post, reader: User) -> None:
    held = approved_comment(essay, status="pending")
    path = f"/api/v1/comments/{held.pk}/moderate"
    editor = User.objects.create_superuser("ed", "ed@example.net", "an editor's pass phrase")
    assert post_json(client, path, {"action": "approve"}).status_code == 401
    not_moderator = post_json(client, path, {"action": "approve"}, **bearer(reader, "moderate"))
    assert not_moderator.status_code == 403
    assert not_moderator.json()["error"]["code"] == "not_moderator"
    wrong_scope = post_json(client, path, {"action": "approve"}, **bearer(editor, "comment"))
    assert wrong_scope.json()["error"]["code"] == "insufficient_scope"
    held.refresh_from_db()
    assert held.status == "pending"
    approved = post_json(client, path, {"action": "approve"}, **bearer(editor, "moderate"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    held.refresh_from_db()
    assert held.status == "approved"
    spam = post_json(client, path, {"action": "spam"}, **bearer(editor, "moderate"))
    assert spam.json()["status"] == "spam"


def test_a_session_write_needs_its_csrf_token(reader: User, essay: Post) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = post_json(client, "/api/v1/comments", {"thread": essay.pk, "body": "Hello"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf"
    client.get("/accounts/tokens/")  # sets the CSRF cookie
    token: Any = client.cookies["csrftoken"].value
    signed = post_json(
        client, "/api/v1/comments", {"thread": essay.pk, "body": "Hello"}, HTTP_X_CSRFTOKEN=token
    )
    assert signed.status_code == 201
