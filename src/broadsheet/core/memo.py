"""What one worker process keeps in its own memory: the most recently used values, within a
budget (a count of values, or their size in bytes), safe to share between its threads.

Used for what is worth more than reading a shared cache file each time: pages (core.pagecache),
gzipped answers (core.compress), formatted citations (publishing.citing, cite_essay).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _one(_: object) -> int:
    return 1


class Kept(Generic[K, V]):
    """At most `budget` in all, each value weighing `weight(value)` (1 by default: a count);
    a value heavier than `largest` is not kept at all. The least recently used go first."""

    def __init__(
        self, budget: int, *, weight: Callable[[V], int] = _one, largest: int | None = None
    ) -> None:
        self.budget, self.weight = budget, weight
        self.largest = budget if largest is None else largest
        self.lock = threading.Lock()
        self.values: OrderedDict[K, V] = OrderedDict()
        self.size = 0

    def get(self, key: K) -> V | None:
        with self.lock:
            found = self.values.get(key)
            if found is not None:
                self.values.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        weight = self.weight(value)
        if weight > self.largest:
            return
        with self.lock:
            old = self.values.pop(key, None)
            if old is not None:
                self.size -= self.weight(old)
            self.values[key] = value
            self.size += weight
            while self.size > self.budget:
                _, dropped = self.values.popitem(last=False)
                self.size -= self.weight(dropped)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self.values)
