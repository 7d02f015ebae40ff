"""gzip for the API's public answers and /embed.js (decision 0101): only to clients that take
it, `Vary: Accept-Encoding` always, the same bytes for every request of one version, and the
page cache's hits compressed too (from the WSGI front as well as the middleware)."""

from __future__ import annotations

import gzip
import io
from typing import Any

import pytest
from django.test import Client

from broadsheet.core import compress
from broadsheet.core.pagecache import PageCacheFront
from broadsheet.embed.views import SCRIPT
from broadsheet.publishing.models import Post
from tests.api.conftest import bearer, post_json
from tests.factories import approved_comment

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _thread(essay: Post, n: int = 6) -> str:
    for i in range(n):
        approved_comment(essay, name=f"Reader {i}", body=f"A long enough comment, number {i}. " * 4)
    return f"/api/v1/threads/{essay.pk}/comments"


def test_accept_encoding_is_read_as_rfc_9110_says() -> None:
    def takes(header: str) -> bool:
        return compress.accepts_gzip({"HTTP_ACCEPT_ENCODING": header})

    assert takes("gzip") and takes("deflate, gzip;q=0.5") and takes("*") and takes("x-gzip")
    assert not takes("") and not takes("br, deflate") and not takes("gzip;q=0")
    assert not takes("gzip;q=0, *") and takes("*;q=0, gzip") and not takes("gzip;q=nonsense")


def test_a_thread_is_gzipped_for_a_client_that_takes_it(client: Client, essay: Post) -> None:
    path = _thread(essay)
    plain = client.get(path)
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    assert "Origin" in plain["Vary"]  # CORS' Vary is kept beside ours
    packed = client.get(path, **GZIP)
    assert packed.status_code == 200 and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert packed["Content-Length"] == str(len(packed.content))
    assert len(packed.content) < len(plain.content)
    assert packed["ETag"] == f"W/{plain['ETag']}" and "Accept-Encoding" in packed["Vary"]
    # The weak tag revalidates as the strong one does.
    again = client.get(path, HTTP_IF_NONE_MATCH=packed["ETag"], **GZIP)
    assert again.status_code == 304


def test_one_version_is_compressed_once(client: Client, essay: Post, monkeypatch: Any) -> None:
    path = _thread(essay)
    made: list[int] = []
    real = gzip.compress
    monkeypatch.setattr(
        compress.gzip, "compress", lambda data, **kw: made.append(1) or real(data, **kw)
    )
    first = client.get(path, **GZIP).content
    assert client.get(path, **GZIP).content == first and client.get(path, **GZIP).content == first
    assert len(made) <= 1  # none when another test made this version's bytes already


@pytest.mark.django_db(transaction=True)  # the versions change after the commit
def test_a_new_version_is_compressed_anew(client: Client, essay: Post) -> None:
    path = _thread(essay)
    before = gzip.decompress(client.get(path, **GZIP).content)
    post_json(client, "/api/v1/comments",
              {"thread": essay.pk, "body": "Another voice.", "name": "Ed", "email": "e@x.org"})  # fmt: skip
    from broadsheet.moderation.services import comment_approve

    comment_approve(comment=essay.comments.get(author_name="Ed"))
    after = gzip.decompress(client.get(path, **GZIP).content)
    assert after != before and b"Another voice." in after


def test_errors_writes_and_private_answers_are_not_compressed(
    client: Client, essay: Post, reader: Any
) -> None:
    path = _thread(essay)
    assert "Content-Encoding" not in client.get("/api/v1/threads/999999/comments", **GZIP)
    created = post_json(client, "/api/v1/comments",
                        {"thread": essay.pk, "body": "x " * 400, "name": "A", "email": "a@x.org"},
                        **GZIP)  # fmt: skip
    assert created.status_code == 201 and "Content-Encoding" not in created
    private = client.get(path, **GZIP, **bearer(reader, "read"))
    assert "private" in private["Cache-Control"] and "Content-Encoding" not in private


def test_embed_js_is_served_gzipped_from_bytes_made_once(client: Client, db: None) -> None:
    plain = client.get("/embed.js")
    packed = client.get("/embed.js", **GZIP)
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content == SCRIPT.read_bytes()
    assert packed.content == gzip.compress(SCRIPT.read_bytes(), compresslevel=9, mtime=0)
    assert "Accept-Encoding" in plain["Vary"] and "Content-Encoding" not in plain


def _environ(path: str, **extra: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), **extra,
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_page_cache_hits_are_gzipped_for_clients_that_take_it(
    client: Client, essay: Post, settings: Any
) -> None:
    settings.PAGE_CACHE = True
    path = _thread(essay)
    stored = client.get(path)  # rendered and stored (identity bytes)
    hit = client.get(path, **GZIP)  # the middleware's hit
    assert hit["X-Page-Cache"] == "hit" and hit["Content-Encoding"] == "gzip"
    assert gzip.decompress(hit.content) == stored.content

    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    def django(environ: dict[str, Any], start: Any) -> list[bytes]:
        raise AssertionError("a hit is answered before Django")

    front = PageCacheFront(django)
    body = b"".join(front(_environ(path, HTTP_ACCEPT_ENCODING="gzip"), start_response))
    headers = answer["headers"]
    assert headers["Content-Encoding"] == "gzip" and headers["Content-Length"] == str(len(body))
    assert gzip.decompress(body) == stored.content and "Accept-Encoding" in headers["Vary"]
    body = b"".join(front(_environ(path), start_response))
    assert body == stored.content and "Content-Encoding" not in answer["headers"]
