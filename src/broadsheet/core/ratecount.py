"""Counters of requests kept per worker and added to the shared cache in batches.

A rate limit must count in the shared cache (every worker, every machine); but a round trip
there on every request can cost more than the request (a page-cache hit; a write to the file
cache is a file renamed). `Tally.used` counts at once in the worker and adds to the shared
counter every `BATCH` requests or `SECONDS`, whichever comes first: one caller is counted
exactly by the worker serving it, and another worker's requests are seen within a batch (at
most BATCH - 1 of them unseen per worker and window; decision 0102).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Add = Callable[[str, int], int]  # adds n to the shared counter `key`; returns its new value


class Tally:
    BATCH = 20
    SECONDS = 0.25

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        with self.lock:
            self.window = -1
            self.pending: dict[str, int] = {}
            self.shared: dict[str, tuple[int, float]] = {}  # the counter as last read, when

    def used(self, key: str, window: int, add: Add) -> int:
        """Count one request against `key` (of the time window `window`); how many it has."""
        now = time.monotonic()
        with self.lock:
            if window != self.window:  # a new window: the last one's counts are done with
                self.window, self.pending, self.shared = window, {}, {}
            pending = self.pending.get(key, 0) + 1
            self.pending[key] = pending
            # A new caller starts its batch now: one who comes once never costs a round trip.
            seen, at = self.shared.setdefault(key, (0, now))
            if pending < self.BATCH and now - at < self.SECONDS:
                return seen + pending
            self.pending[key] = 0
        total = add(key, pending)
        with self.lock:
            if window == self.window:
                self.shared[key] = (total, now)
                return total + self.pending.get(key, 0)
        return total


tally = Tally()
