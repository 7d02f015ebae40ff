"""CORS on the API and the embed: exactly the allowed origins, preflights answered, forged
origins refused, answers vary by Origin (and the page cache keeps them apart)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

BLOG = "https://blog.example.org"


@pytest.fixture(autouse=True)
def _allowed(settings: Any) -> None:
    settings.EMBED_ALLOWED_ORIGINS = [BLOG]


def test_an_allowed_origin_reads_and_is_named_back(client: Any) -> None:
    response = client.get("/embed/sign-in/options", HTTP_ORIGIN=BLOG)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == BLOG
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]
    names = [option["name"] for option in response.json()["options"]]
    assert names  # the site's own accounts at least


@pytest.mark.parametrize(
    "forged",
    [
        "https://evil.example.org",
        "https://blog.example.org.evil.example",
        "http://blog.example.org",
        "https://blog.example.org:8443",
        "https://blog.example.org/",
        "null",
        "https://blog.example.org\x00",
    ],
)
def test_other_origins_are_never_named(client: Any, forged: str) -> None:
    response = client.get("/embed/sign-in/options", HTTP_ORIGIN=forged)
    assert "Access-Control-Allow-Origin" not in response
    assert "Origin" in response["Vary"]
    preflight = client.options(
        "/api/v1/comments", HTTP_ORIGIN=forged, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert preflight.status_code == 403
    assert preflight.json()["error"]["code"] == "origin_refused"
    assert "Access-Control-Allow-Origin" not in preflight


def test_a_preflight_from_an_allowed_origin_names_methods_and_headers(client: Any) -> None:
    response = client.options(
        "/api/v1/comments",
        HTTP_ORIGIN=BLOG,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == BLOG
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "Origin" in response["Vary"]


def test_a_write_from_a_foreign_page_is_refused_before_the_api(client: Any) -> None:
    # A form on another site posts without a preflight; the browser would hide the answer,
    # but the write must not happen at all.
    response = client.post(
        "/api/v1/comments",
        data="body=hello",
        content_type="text/plain",
        HTTP_ORIGIN="https://evil.example.org",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "origin_refused"


def test_pages_outside_the_api_and_embed_get_no_cors(client: Any) -> None:
    response = client.get("/", HTTP_ORIGIN=BLOG)
    assert "Access-Control-Allow-Origin" not in response


def test_the_page_cache_keeps_each_origin_apart(client: Any, settings: Any) -> None:
    settings.PAGE_CACHE = True
    settings.EMBED_ALLOWED_ORIGINS = [BLOG, "https://other.example.net"]
    first = client.get("/embed/sign-in/options", HTTP_ORIGIN=BLOG)
    second = client.get("/embed/sign-in/options", HTTP_ORIGIN="https://other.example.net")
    plain = client.get("/embed/sign-in/options")
    forged = client.get("/embed/sign-in/options", HTTP_ORIGIN="https://evil.example.org")
    assert first["Access-Control-Allow-Origin"] == BLOG
    assert second["Access-Control-Allow-Origin"] == "https://other.example.net"
    assert "Access-Control-Allow-Origin" not in plain
    assert "Access-Control-Allow-Origin" not in forged
    hit = client.get("/embed/sign-in/options", HTTP_ORIGIN=BLOG)
    assert hit.get("X-Page-Cache") == "hit"
    assert hit["Access-Control-Allow-Origin"] == BLOG


def test_a_304_from_the_page_cache_still_names_the_origin(client: Any, settings: Any) -> None:
    settings.PAGE_CACHE = True
    first = client.get("/embed.js", HTTP_ORIGIN=BLOG)
    again = client.get("/embed.js", HTTP_ORIGIN=BLOG, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == BLOG
