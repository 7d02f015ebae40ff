"""Django's file cache, tuned for whole pages (settings.CACHES without REDIS_URL).

Two costs of `FileBasedCache` grow with what the page cache stores: every value is
zlib-compressed at the default level (34 ms for the 1.7 MB page of a post with 2,000
comments, 3.4 ms for 170 KB, on every page-cache miss), and every write lists the whole
cache folder to decide whether to cull. Values are written with zlib level 0 instead — stored
blocks, the same format, read back by Django's own code — and the folder is counted on one
write in `_CULL_EVERY`; when it is full, what has expired is removed before anything else.

A third is the disk's: Django writes a value to a temporary file and renames it over the old
one, and ext4 (by default, `auto_da_alloc`) writes a file renamed over another to disk at
once, so that a crash cannot leave an empty file. A page-version bump, three small writes
after every published comment, waited 1–3 ms on each (0.2–0.5 ms each on a quiet machine,
against 0.04 ms without). A cache needs no such safety (a value lost in a crash is a miss),
so the old file is removed first and the new one renamed into a free name. A reader between
the two sees a miss, as it would had the value expired: a page is rendered, a version is
started afresh (which only makes stored pages stale, never a stale page current).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import zlib
from typing import IO, Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

_CULL_EVERY = 64


class FileCache(FileBasedCache):
    _writes = 0

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._createdir()  # type: ignore[attr-defined]  # the folder may be removed at any time
        name = self._key_to_file(key, version)  # type: ignore[attr-defined]
        self._cull()
        handle, temporary = tempfile.mkstemp(dir=self._dir)  # type: ignore[attr-defined]
        try:
            with open(handle, "wb") as file:
                self._write_content(file, timeout, value)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)  # renamed into a free name: no flush to disk (module doc)
            os.rename(temporary, name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def _write_content(self, file: IO[bytes], timeout: Any, value: Any) -> None:
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), 0))

    def _cull(self) -> None:
        # The limit (MAX_ENTRIES) is checked on one write in _CULL_EVERY: the cache may pass it
        # by that many entries before a cull brings it back.
        FileCache._writes += 1
        if FileCache._writes % _CULL_EVERY != 1:
            return
        files = self._list_cache_files()  # type: ignore[attr-defined]  # (private in the stubs)
        if len(files) < self._max_entries:
            return
        # Expired entries go first (a file is only removed when read, so a counter or a page
        # nobody asks for again stays on disk); only if that is not enough, Django's random third.
        kept = sum(1 for name in files if not self._expired_file(name))
        if kept >= self._max_entries:
            super()._cull()  # type: ignore[misc]

    def _expired_file(self, name: str) -> bool:
        try:
            with open(name, "rb") as file:
                return bool(self._is_expired(file))  # type: ignore[attr-defined]  # deletes it
        except FileNotFoundError:  # removed by another process meanwhile
            return True
