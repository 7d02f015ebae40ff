"""The API's rate limits count the answers the page cache gives before any view runs (the WSGI
front and the middleware's hits, and their 304s), as they count rendered ones (decision 0102)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from broadsheet.api import gate
from broadsheet.core import ratecount
from broadsheet.core.pagecache import PageCacheFront
from broadsheet.publishing.models import Post
from tests.api.conftest import BLOG

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cached(settings: Any) -> None:
    settings.PAGE_CACHE = True
    settings.API_RATE_PER_IP = 5
    ratecount.tally.forget()  # a worker's counts start afresh


def _environ(path: str, **extra: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "REMOTE_ADDR": "127.0.0.1",
        **extra,
    }  # fmt: skip


def _front(path: str, **extra: str) -> tuple[str, dict[str, str], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    def django(environ: dict[str, Any], start: Any) -> list[bytes]:
        raise AssertionError("a stored answer is given before Django")

    body = b"".join(PageCacheFront(django)(_environ(path, **extra), start_response))
    return answer["status"], answer["headers"], body


def test_hits_from_the_middleware_and_the_front_count_against_the_limit(
    client: Client, essay: Post
) -> None:
    path = f"/api/v1/threads/{essay.pk}/comments"
    first = client.get(path)  # rendered and stored: counted by the gate
    assert first.status_code == 200 and "X-Page-Cache" not in first
    assert client.get(path)["X-Page-Cache"] == "hit"  # 2
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304  # 3
    status, _, _ = _front(path)  # 4
    assert status == "200 OK"
    status, _, _ = _front(path, HTTP_IF_NONE_MATCH=first["ETag"])  # 5
    assert status == "304 Not Modified"
    status, headers, body = _front(path)  # 6: over
    assert status == "429 Too Many Requests" and int(headers["Retry-After"]) > 0
    assert b'"rate_limited"' in body and headers["Cache-Control"] == "private, no-store"
    refused = client.get(path)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    # Another address has its own count; pages other than the API's are not limited here.
    status, _, _ = _front(path, REMOTE_ADDR="192.0.2.1")
    assert status == "200 OK"
    client.get(essay.get_absolute_url())
    status, _, _ = _front(essay.get_absolute_url())
    assert status == "200 OK"


def test_the_refusal_of_a_hit_keeps_the_origins_cors_headers(client: Client, essay: Post) -> None:
    path = f"/api/v1/threads/{essay.pk}/comments"
    for _ in range(5):
        assert client.get(path, HTTP_ORIGIN=BLOG).status_code == 200
    refused = client.get(path, HTTP_ORIGIN=BLOG)
    assert refused.status_code == 429
    assert refused["Access-Control-Allow-Origin"] == BLOG
    assert "Retry-After" in refused["Access-Control-Expose-Headers"]


def test_another_workers_hits_are_seen_within_a_batch(essay: Post) -> None:
    tally, add, batch = ratecount.Tally(), gate._added, ratecount.Tally.BATCH
    key = "api-rate:ip:198.51.100.1:1"
    assert tally.used(key, 1, add) == 1  # counted here; the shared counter not asked yet
    assert cache.get(key) is None
    other = ratecount.Tally()  # another worker
    for _ in range(batch + 1):  # a whole batch (added to the shared counter), and one more
        other.used(key, 1, add)
    assert cache.get(key) == batch
    # This worker sees the other's batch when its own is due.
    counts = [tally.used(key, 1, add) for _ in range(batch)]
    assert counts[0] == 2 and counts[batch - 2] == 2 * batch and counts[-1] == 2 * batch + 1


def test_rendered_requests_count_in_the_same_tally(client: Client, essay: Post) -> None:
    for _ in range(5):
        assert client.get(f"/api/v1/threads?post={essay.pk}").status_code == 200
    assert client.get(f"/api/v1/threads?post={essay.pk}").status_code == 429
    assert (
        client.get(f"/api/v1/threads?post={essay.pk}", REMOTE_ADDR="192.0.2.3").status_code == 200
    )
