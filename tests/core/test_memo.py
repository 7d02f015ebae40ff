"""A worker's own memory (core.memo.Kept): the most recently used values within a budget."""

from __future__ import annotations

import threading

from broadsheet.core.memo import Kept


def test_a_count_budget_drops_the_least_recently_used() -> None:
    kept: Kept[str, int] = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # now the most recent
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    kept.put("a", 10)  # replaced, not counted twice
    assert len(kept) == 2 and kept.size == 2 and kept.get("a") == 10


def test_a_byte_budget_weighs_values_and_keeps_none_too_large() -> None:
    kept: Kept[str, bytes] = Kept(10, weight=len, largest=6)
    kept.put("big", b"x" * 7)
    assert kept.get("big") is None and kept.size == 0
    kept.put("one", b"x" * 6)
    kept.put("two", b"y" * 5)  # 11 > 10: the older goes
    assert kept.get("one") is None and kept.get("two") == b"y" * 5 and kept.size == 5
    kept.clear()
    assert len(kept) == 0 and kept.size == 0


def test_threads_sharing_it_keep_its_size_true() -> None:
    kept: Kept[int, bytes] = Kept(1000, weight=len)

    def work(offset: int) -> None:
        for n in range(2000):
            kept.put((n + offset) % 300, b"z" * (n % 17 + 1))
            kept.get(n % 300)

    threads = [threading.Thread(target=work, args=(t * 7,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kept.size == sum(len(v) for v in kept.values.values()) <= 1000
