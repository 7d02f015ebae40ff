"""The OpenAPI document the API serves, held to the API: schemathesis generates requests from
it (valid and not), sends them to the WSGI application, and checks every answer: no 500, and
each status, content type, header and body as the document says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig

from tests.factories import approved_comment


def _schema() -> Any:
    """The document as the API serves it (generated from the code: no database is needed),
    sent to the WSGI application."""
    from broadsheet.api.endpoints import ERROR_CODES, api
    from broadsheet.wsgi import application

    config = SchemathesisConfig.from_dict(
        {
            "checks": {
                # A schema-violating request is refused with any of the API's refusals (413 for
                # a body over the size cap, which the document's lengths cannot say in bytes).
                "negative_data_rejection": {"expected-statuses": sorted(ERROR_CODES)},
                # Not "a schema-valid request is accepted": the comment form's rules (a name,
                # some words, a thread named one way or the other) refuse requests the document
                # cannot describe.
                "positive_data_acceptance": {"enabled": False},
            }
        }
    )
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=config)
    loaded.app = application
    return loaded


schema = _schema()


@pytest.fixture
def site_data(db: None, settings: Any, essay: Any) -> Iterator[None]:
    settings.API_RATE_PER_IP = settings.API_RATE_PER_TOKEN = 1_000_000
    approved_comment(essay)  # something to find, besides the 404s
    # The WSGI application closes the database connection after each request, which would end
    # the test's transaction (on PostgreSQL); Django's own test client holds it open the same way.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@pytest.mark.usefixtures("site_data")
@hypothesis_settings(
    max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
def test_every_answer_matches_the_document(case: Any) -> None:
    # Uncompressed: the WSGI transport does not decode gzip as an HTTP client does (gzip is
    # transport, not part of the document; tests/api/test_compression.py holds it).
    case.call_and_validate(headers={"Accept-Encoding": "identity"})


def test_the_document_is_openapi_3_1_and_names_every_endpoint(client: Client, db: None) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {
        "/api/v1/threads", "/api/v1/threads/{thread_id}/comments", "/api/v1/comments",
        "/api/v1/comments/{comment_id}", "/api/v1/comments/{comment_id}/moderate",
        "/api/v1/preview", "/api/v1/counts", "/api/v1/posts", "/api/v1/posts/{post_id}",
        "/api/v1/posts/{post_id}/references",
    } <= set(document["paths"])  # fmt: skip


def test_the_reference_page_is_ours_and_loads_nothing_from_elsewhere(
    client: Client, db: None
) -> None:
    response = client.get("/api/v1/")
    html = response.content.decode()
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert "POST /api/v1/comments" in html
    assert "cdn" not in html.lower() and "swagger" not in html.lower()
    assert 'id="schema-CommentIn"' in html
