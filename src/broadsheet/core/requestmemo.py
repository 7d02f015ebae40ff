"""Values read once per request: the settings rows and the navigation, which several parts
of a page ask for (each read is a trip to the shared cache).

Nothing is kept outside a request (the worker, management commands, code called directly), so
a long-running process never holds an old copy, and a request sees a change made by another
process from its next request on, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")
_local = threading.local()


def remembered(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, once per request for each key."""
    store: dict[str, Any] | None = getattr(_local, "store", None)
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    value: T = store[key]
    return value


def forget(key: str) -> None:
    """Drop a remembered value: the request itself just changed it."""
    store: dict[str, Any] | None = getattr(_local, "store", None)
    if store is not None:
        store.pop(key, None)


def _begin(**kwargs: Any) -> None:
    _local.store = {}


def _end(**kwargs: Any) -> None:
    _local.store = None


request_started.connect(_begin, dispatch_uid="broadsheet-request-memo-begin")
request_finished.connect(_end, dispatch_uid="broadsheet-request-memo-end")
