"""Settings rows and the navigation are read once per request, and never kept between
requests or outside one. (Django's request signals close database connections, so the unit
tests call what they would call; the page test goes through real requests.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.core.models import SiteSettings
from broadsheet.core.requestmemo import _begin, _end, forget, remembered

pytestmark = pytest.mark.django_db


def _counter() -> tuple[list[int], Any]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_within_a_request_a_value_is_computed_once_and_forgotten_on_demand() -> None:
    calls, compute = _counter()
    _begin()  # what request_started does
    try:
        assert remembered("k", compute) == remembered("k", compute) == 1
        forget("k")
        assert remembered("k", compute) == 2
    finally:
        _end()  # what request_finished does
    assert remembered("k", compute) == 3  # nothing kept after the request
    assert remembered("k", compute) == 4  # nor outside one
    assert len(calls) == 4


def test_a_settings_change_is_seen_by_the_next_request_and_by_the_request_that_made_it(
    client: Client,
) -> None:
    current = SiteSettings.current()
    current.title = "Harbour Notes"
    current.save()
    assert "Harbour Notes" in client.get("/").content.decode()
    # Another process changes the row and clears the shared copy.
    SiteSettings.objects.filter(pk=1).update(title="Tide Tables")
    from django.core.cache import cache

    cache.delete(SiteSettings._cache_key())
    assert "Tide Tables" in client.get("/").content.decode()
    _begin()  # what request_started does
    try:
        assert SiteSettings.current().title == "Tide Tables"
        changed = SiteSettings.current()
        changed.title = "Changed mid-request"
        changed.save()
        assert SiteSettings.current().title == "Changed mid-request"
    finally:
        _end()  # what request_finished does


def test_a_page_reads_each_settings_row_from_the_shared_cache_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import caches

    client.get("/")  # warm
    keys: list[str] = []
    backend = caches["default"]
    original = backend.get

    def get(key: str, *args: Any, **kwargs: Any) -> Any:
        keys.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", get, raising=False)
    assert client.get("/").status_code == 200
    settings_reads = [k for k in keys if "broadsheet:settings:" in k or "navigation" in k]
    assert settings_reads and len(settings_reads) == len(set(settings_reads))
