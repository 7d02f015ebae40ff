"""Every error is JSON of one shape, whatever the request: unknown addresses, wrong methods,
malformed or oversized bodies, form data, NUL characters, too many requests, a failure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from tests.api.conftest import post_json

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] and error["message"]
    return error


def test_an_unknown_address_and_a_wrong_method_answer_json(client: Client, db: None) -> None:
    assert _error(client.get("/api/v1/nothing/here"), 404)["code"] == "not_found"
    refused = _error(client.put("/api/v1/comments", "{}", content_type="application/json"), 405)
    assert refused["code"] == "method_not_allowed"


def test_malformed_json_is_refused_with_a_code(client: Client, essay: Post) -> None:
    for body in ("{", "[1, 2", "\xff\xfe", '{"thread": '):
        response = client.post("/api/v1/comments", body, content_type="application/json")
        assert _error(response, 400)["code"] == "malformed_json"


def test_json_of_the_wrong_shape_names_the_fields(client: Client, essay: Post) -> None:
    response = post_json(client, "/api/v1/comments", {"thread": "seven", "body": ["x"]})
    error = _error(response, 422)
    assert error["code"] == "invalid" and {"thread", "body"} <= set(error["fields"])
    assert _error(post_json(client, "/api/v1/comments", [1, 2]), 422)["code"] == "invalid"


def test_form_data_where_json_is_expected_is_refused(client: Client, essay: Post) -> None:
    response = client.post("/api/v1/comments", {"thread": essay.pk, "body": "Hi"})
    assert _error(response, 415)["code"] == "unsupported_media_type"
    assert not Comment.objects.exists()


def test_json_where_the_form_is_expected_is_refused_without_a_500(
    client: Client, essay: Post
) -> None:
    response = post_json(client, "/comments/post/", {"post_id": essay.pk, "comment": "Hi"})
    assert response.status_code in (400, 404)
    assert not Comment.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(
    client: Client, essay: Post, settings: Any
) -> None:
    settings.API_MAX_BODY_KB = 16
    body = json.dumps({"thread": essay.pk, "body": "x" * 20_000})
    response = client.post("/api/v1/comments", body, content_type="application/json")
    assert _error(response, 413)["code"] == "too_large"


def test_a_comment_too_long_for_the_column_is_refused_by_the_form_rules(
    client: Client, essay: Post
) -> None:
    response = post_json(
        client, "/api/v1/comments",
        {"thread": essay.pk, "body": "y" * 66_000, "name": "Ada", "email": "a@example.org"},
    )  # fmt: skip
    assert _error(response, 422)["fields"] == {"body": "Your comment is too long."}


def test_html_and_script_in_every_field_are_kept_harmless(client: Client, essay: Post) -> None:
    response = post_json(
        client, "/api/v1/comments",
        {"url": f"https://blog.example.org/{HOSTILE}", "title": HOSTILE, "body": HOSTILE,
         "name": HOSTILE, "email": "ada@example.org", "website": "javascript:alert(1)"},
    )  # fmt: skip
    assert _error(response, 422)["fields"] == {
        "website": "Please enter a web address starting with https://."
    }
    made = post_json(
        client, "/api/v1/comments",
        {"url": f"https://blog.example.org/{HOSTILE}", "title": HOSTILE, "body": HOSTILE,
         "name": HOSTILE, "email": "ada@example.org"},
    )  # fmt: skip
    assert made.status_code == 201
    data = made.json()
    assert "<script" not in data["html"] and "<img" not in data["html"]
    thread = Post.objects.get(kind=Post.Kind.THREAD)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page


def test_nul_characters_are_dropped_not_a_500(client: Client, essay: Post) -> None:
    made = post_json(
        client, "/api/v1/comments",
        {"thread": essay.pk, "body": "A\u0000B", "name": "N\u0000l", "email": "n@example.org"},
    )  # fmt: skip
    assert made.status_code == 201
    assert Comment.objects.get().body == "AB"
    nul = client.get("/api/v1/threads?url=https://blog.example.org/%00")
    assert _error(nul, 400)["code"] == "nul"
    assert _error(client.get("/api/v1/threads"), 400)["code"] == "missing"


def test_forged_ids_answer_not_found(client: Client, essay: Post) -> None:
    for path in ("/api/v1/threads/999999/comments", "/api/v1/posts/999999",
                 "/api/v1/threads?post=999999"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    for path in ("/api/v1/threads/nine/comments", "/api/v1/threads/-1/comments",
                 f"/api/v1/posts/{2**70}", f"/api/v1/counts?post={2**70}"):  # fmt: skip
        assert _error(client.get(path), 422)["code"] == "invalid", path


def test_too_many_requests_are_answered_429_with_retry_after(
    client: Client, essay: Post, settings: Any
) -> None:
    settings.API_RATE_PER_IP = 3
    answers = [client.get(f"/api/v1/threads?post={essay.pk}") for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    error = _error(answers[3], 429)
    assert error["code"] == "rate_limited" and 1 <= int(answers[3]["Retry-After"]) <= 61


def test_a_failure_answers_json_500(
    client: Client, essay: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broadsheet.api import selectors

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "thread_data", broken)
    response = client.get(f"/api/v1/threads?post={essay.pk}")
    error = _error(response, 500)
    assert error["code"] == "server_error" and "database" not in error["message"]
