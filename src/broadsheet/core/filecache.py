"""Django's file cache, tuned for whole pages (settings.CACHES without REDIS_URL).

Two costs of `FileBasedCache` grow with what the page cache stores: every value is
zlib-compressed at the default level (34 ms for the 1.7 MB page of a post with 2,000
comments, 3.4 ms for 170 KB, on every page-cache miss), and every write lists the whole
cache folder to decide whether to cull. Values are written with zlib level 0 instead — stored
blocks, the same format, read back by Django's own code — and the folder is counted on one
write in `_CULL_EVERY`; when it is full, what has expired is removed before anything else.
"""

from __future__ import annotations

import pickle
import zlib
from typing import IO, Any

from django.core.cache.backends.filebased import FileBasedCache

_CULL_EVERY = 64


class FileCache(FileBasedCache):
    _writes = 0

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
