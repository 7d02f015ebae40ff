"""/healthz, /readyz, `broadsheet status`, /metrics and the request log."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from broadsheet.core.requestlog import JsonFormatter, RequestIdFilter
from broadsheet.notifications.tasks import heartbeat
from broadsheet.operations.backup import backup_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_answers_without_being_cached(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_readyz_reports_each_check(client: Client, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR, settings.MEDIA_ROOT = tmp_path, tmp_path / "media"
    report = client.get("/readyz").json()
    assert report["status"] == "ready"
    checks = report["checks"]
    assert checks["database"]["status"] == checks["cache"]["status"] == "ok"
    assert checks["worker"]["status"] == "warn" and checks["backup"]["status"] == "warn"
    heartbeat()
    backup_create()
    response = client.get("/readyz")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    checks = response.json()["checks"]
    assert checks["worker"]["status"] == "ok" and checks["worker"]["last_heartbeat_seconds"] < 60
    assert checks["backup"]["status"] == "ok" and checks["outbox"]["pending"] == 0
    assert checks["tasks"]["ready"] == 0


def test_readyz_is_503_when_the_cache_is_down(client: Client, settings: Any) -> None:
    # A Redis nobody listens on: a real failure, no mock.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        },
    }
    from broadsheet.operations.health import readiness

    ready, report = readiness()
    assert not ready and report["checks"]["cache"]["status"] == "fail"
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("status", stdout=out)
    assert "unready" in out.getvalue() and "cache" in out.getvalue()


def test_status_prints_the_same_checks() -> None:
    heartbeat()
    out = io.StringIO()
    call_command("status", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["status"] == "ready" and report["checks"]["worker"]["status"] == "ok"


def test_metrics_for_this_machine_only_or_with_the_token(settings: Any) -> None:
    Client().get("/healthz")
    local = Client().get("/metrics")
    assert local.status_code == 200
    text = local.content.decode()
    assert 'broadsheet_requests_total{status="200",view="operations:healthz"}' in text
    for name in ("broadsheet_outbox_pending", "broadsheet_tasks_ready", "broadsheet_task_lag_seconds",
                 "broadsheet_worker_heartbeat_age_seconds", "broadsheet_render_seconds_bucket",
                 "broadsheet_page_cache_total", "broadsheet_comments_total"):  # fmt: skip
        assert name in text or name.removesuffix("_total") in text, name
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 403
    relayed = Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert relayed.status_code == 403  # a proxy on this machine relays the world
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    remote = Client(REMOTE_ADDR="203.0.113.9")
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    good = remote.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus")
    assert good.status_code == 200


def test_comments_are_counted_by_outcome(author: Any) -> None:
    from broadsheet.core.metrics import COMMENTS
    from broadsheet.discussion.services import Commenter, comment_submit
    from tests.factories import PostFactory

    post = PostFactory(authors=[author])
    before = COMMENTS.labels("pending")._value.get()
    comment = comment_submit(
        post=post, commenter=Commenter(name="Ann", email="ann@example.org"), body="Hello there.",
        ip_address="192.0.2.1", seconds_on_page=60,
    )  # fmt: skip
    assert COMMENTS.labels(comment.status)._value.get() >= 1
    if comment.status == "pending":
        assert COMMENTS.labels("pending")._value.get() == before + 1


@pytest.fixture
def captured() -> Any:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def test_every_request_gets_an_id_and_one_log_line(client: Client, captured: io.StringIO) -> None:
    response = client.get("/healthz")
    request_id = response["X-Request-Id"]
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    mine = [line for line in lines if line["request_id"] == request_id]
    assert len(mine) == 1
    assert mine[0] | {"ms": 0} == mine[0] | {
        "logger": "broadsheet.request", "method": "GET", "path": "/healthz", "status": 200,
        "view": "operations:healthz", "ms": 0,
    }  # fmt: skip
    # A proxy's id is kept; a forged one with markup is replaced.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789")["X-Request-Id"] == (
        "nginx-0123456789"
    )
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="<script>x</script>")["X-Request-Id"]
    assert "<" not in forged and len(forged) == 16


def test_an_error_page_shows_the_id_the_log_has_with_the_traceback(
    settings: Any, captured: io.StringIO
) -> None:
    settings.ROOT_URLCONF = "tests.operations.failing_urls"
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-Id"]
    page = response.content.decode()
    assert f'quote this id: <code class="request-id">{request_id}</code>' in page
    assert "kaboom" not in page  # the error's text is for the log, not the reader
    errors = [
        json.loads(line) for line in captured.getvalue().splitlines()
        if json.loads(line)["level"] == "ERROR"
    ]  # fmt: skip
    assert errors and errors[0]["request_id"] == request_id
    assert "RuntimeError: kaboom" in errors[0]["traceback"]


def test_the_plain_log_format_carries_the_id(settings: Any) -> None:
    record = logging.LogRecord("broadsheet.request", logging.INFO, "", 0, "GET / 200", None, None)
    RequestIdFilter().filter(record)
    line = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]).format(record)
    assert "[-] broadsheet.request: GET / 200" in line


def test_readyz_is_cheap(client: Client, django_assert_max_num_queries: Any) -> None:
    heartbeat()
    client.get("/readyz")  # the connection opened
    with django_assert_max_num_queries(4):  # SELECT 1, heartbeat and backup runs, outbox, queue
        assert client.get("/readyz").status_code == 200
    with django_assert_max_num_queries(0):
        assert client.get("/healthz").status_code == 200
