"""The file cache behind the page cache (broadsheet.core.filecache) stores what Django's stores,
readable by Django's own FileBasedCache, and still keeps to MAX_ENTRIES."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from broadsheet.core.filecache import _CULL_EVERY, FileCache


def test_values_round_trip_and_djangos_own_backend_reads_them(tmp_path: Path) -> None:
    ours = FileCache(str(tmp_path), {})
    page = {"status": 200, "content": "<p>Zürich ’quotes’</p>".encode() * 5000}
    ours.set("page", page, 60)
    assert ours.get("page") == page
    assert FileBasedCache(str(tmp_path), {}).get("page") == page
    stored = next(tmp_path.glob("*.djcache")).stat().st_size
    assert stored > len(page["content"])  # written as it is, not compressed


def test_the_cache_is_culled_back_under_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The write counter is the process's: start it where a fresh worker does, so which writes
    # count the folder does not depend on the tests that ran before. A limit of at least
    # _CULL_EVERY is what a cull of half the entries brings back under.
    monkeypatch.setattr(FileCache, "_writes", 0)
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 200, "CULL_FREQUENCY": 2}})
    for n in range(8 * _CULL_EVERY):
        cache.set(f"key-{n}", n, 60)
    assert len(list(tmp_path.glob("*.djcache"))) <= 200 + _CULL_EVERY


def test_a_full_cache_drops_what_has_expired_before_anything_else(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50}})
    for n in range(20):
        cache.set(f"counter-{n}", n, 600)
    for n in range(6 * _CULL_EVERY):
        cache.set(f"gone-{n}", n, 0)  # expires at once, as old pages and counters do
    assert [cache.get(f"counter-{n}") for n in range(20)] == list(range(20))
    assert len(list(tmp_path.glob("*.djcache"))) <= 50 + _CULL_EVERY


def test_a_value_is_never_renamed_over_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ext4 writes a file renamed over another to disk at once (auto_da_alloc): a page
    version's bump waited milliseconds for it. The old value is removed first."""
    import os

    cache = FileCache(str(tmp_path), {})
    renames: list[bool] = []
    rename = os.rename

    def watched(source: str, target: str) -> None:
        renames.append(os.path.exists(target))
        rename(source, target)

    monkeypatch.setattr(os, "rename", watched)
    cache.set("version", "a", None)
    cache.set("version", "bb", None)  # another size: a new file
    cache.set_many({"version": "ccc", "other": "d"}, 60)
    assert renames == [False, False, False, False]
    assert cache.get("version") == "ccc" and cache.get("other") == "d"
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".djcache", ".djcache"]  # no leftovers


def test_a_version_is_written_over_in_place_and_read_half_written_is_a_miss(
    tmp_path: Path,
) -> None:
    """A page version (a small value that never expires, as long as the one before) is
    written into the same file, with no new file and no rename; a reader that catches the
    write half done sees a miss, never an error or a value made of both."""
    cache = FileCache(str(tmp_path), {})
    cache.set("pcv:post:1", "a" * 32, None)
    (path,) = tmp_path.glob("*.djcache")
    inode = path.stat().st_ino
    cache.set("pcv:post:1", "b" * 32, None)
    assert cache.get("pcv:post:1") == "b" * 32 and path.stat().st_ino == inode

    before = path.read_bytes()
    cache.set("pcv:post:1", "c" * 32, None)
    after = path.read_bytes()
    assert len(before) == len(after) and path.stat().st_ino == inode
    path.write_bytes(after[: len(after) // 2 + 4] + before[len(after) // 2 + 4 :])  # torn
    assert cache.get("pcv:post:1", "missing") == "missing"
    assert cache.has_key("pcv:post:1")  # the expiry's bytes were the same in both

    cache.set("pcv:post:1", "d" * 32, 60)  # one that expires: renamed into place
    assert cache.get("pcv:post:1") == "d" * 32 and path.stat().st_ino != inode


def test_a_failed_write_leaves_no_temporary_file_and_the_old_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = FileCache(str(tmp_path), {})
    cache.set("key", "old", None)

    class Unpicklable:
        def __reduce__(self) -> Any:
            raise TypeError("cannot pickle")

    with pytest.raises(TypeError):
        cache.set("key", Unpicklable(), None)
    assert cache.get("key") == "old" and len(list(tmp_path.iterdir())) == 1
