"""Values every page asks for, read from the shared cache: the settings rows, the navigation,
the sign-in options.

Within a request each is read once. Between requests each worker keeps what it read for a
quarter of a second, as it trusts the page cache's versions (core.pagecache): a change made in
another worker or on another machine is seen within that time, one made in this worker at once
(`forget`). Every shared-cache read costs a file or a network round trip; a page asked for up
to six.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")
WORKER_SECONDS = 0.25

_local = threading.local()
# cache key (with the cache's own prefix) -> (when read, value); shared by a worker's threads.
_worker: dict[str, tuple[float, Any]] = {}


def remembered(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, read once per request, and by this worker at most every quarter second."""
    store: dict[str, Any] | None = getattr(_local, "store", None)
    if store is not None and key in store:
        found: T = store[key]
        return found
    full = cache.make_key(key)
    kept = _worker.get(full)
    now = time.monotonic()
    if kept is not None and now - kept[0] < WORKER_SECONDS:
        value: T = kept[1]
    else:
        value = compute()
        _worker[full] = (now, value)
    if store is not None:
        store[key] = value
    return value


def forget(key: str) -> None:
    """Drop what this worker remembers of `key`: it just changed it."""
    _worker.pop(cache.make_key(key), None)
    store: dict[str, Any] | None = getattr(_local, "store", None)
    if store is not None:
        store.pop(key, None)


def _begin(**kwargs: Any) -> None:
    _local.store = {}


def _end(**kwargs: Any) -> None:
    _local.store = None
