"""Settings rows, the navigation and the sign-in options are read from the shared cache once
per request, and each worker keeps what it read for a quarter of a second: another worker's
change is seen within that time, this worker's at once. (Django's request signals close
database connections, so the unit tests call what they would call; the page tests go through
real requests.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client

from broadsheet.core import requestmemo
from broadsheet.core.models import SiteSettings
from broadsheet.core.requestmemo import _begin, _end, forget, remembered

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1000.0
        monkeypatch.setattr(requestmemo.time, "monotonic", lambda: self.now)


def _counter() -> tuple[list[int], Any]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_value_is_read_once_per_request_and_kept_a_quarter_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock(monkeypatch)
    calls, compute = _counter()
    _begin()  # what request_started does
    try:
        assert remembered("k", compute) == remembered("k", compute) == 1
        forget("k")  # this worker changed it
        assert remembered("k", compute) == 2
    finally:
        _end()  # what request_finished does
    clock.now += 0.2
    assert remembered("k", compute) == 2  # the next request, soon after: no read
    clock.now += 0.1
    assert remembered("k", compute) == 3  # a quarter second on: read again
    _begin()
    try:
        clock.now += 1
        assert remembered("k", compute) == 4
        clock.now += 1  # a long request still sees one value throughout
        assert remembered("k", compute) == 4
    finally:
        _end()
    assert len(calls) == 4


def test_another_workers_change_is_seen_within_a_quarter_second(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    current = SiteSettings.current()
    current.title = "Harbour Notes"
    current.save()
    assert "Harbour Notes" in client.get("/").content.decode()  # this worker: at once
    # Another worker changes the row and clears the shared copy.
    SiteSettings.objects.filter(pk=1).update(title="Tide Tables")
    cache.delete(SiteSettings._cache_key())
    clock.now += 0.1
    assert "Harbour Notes" in client.get("/").content.decode()
    clock.now += 0.2
    assert "Tide Tables" in client.get("/").content.decode()


def test_a_page_reads_each_shared_value_once_and_the_next_page_none(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    client.get("/")  # warm the shared cache
    keys: list[str] = []
    backend = caches["default"]
    original = backend.get

    def get(key: str, *args: Any, **kwargs: Any) -> Any:
        keys.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", get, raising=False)
    clock.now += 1
    assert client.get("/").status_code == 200
    shared = [k for k in keys if "broadsheet:settings:" in k or "navigation" in k]
    assert shared and len(shared) == len(set(shared))
    keys.clear()
    assert client.get("/").status_code == 200
    assert not [k for k in keys if "broadsheet:settings:" in k or "navigation" in k]
