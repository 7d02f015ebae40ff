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

Even without the flush, making a file and renaming it took 0.3 ms on this machine, three times
for every published comment. A small value that never expires, the same size as the one it
replaces — a page version, 32 characters — is written over it in place, in one write: no new
file, no rename. A reader at that moment may read half of each; the value's checksum (zlib's)
then fails and the reader sees a miss, as above. (A torn version that passed would only be a
version no page was stored with.)
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
# Values up to this size are written over one of the same size in place (module doc).
_IN_PLACE = 512


class FileCache(FileBasedCache):
    _writes = 0

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        name = self._key_to_file(key, version)  # type: ignore[attr-defined]
        head, body = self._content(timeout, value)
        # Only a value that never expires: its expiry's bytes stay the same, so a reader of
        # the expiry alone (has_key) cannot see it half written.
        if (
            timeout is None
            and len(head) + len(body) <= _IN_PLACE
            and _written_over(name, head + body)
        ):
            return
        self._createdir()  # type: ignore[attr-defined]  # the folder may be removed at any time
        self._cull()
        handle, temporary = tempfile.mkstemp(dir=self._dir)  # type: ignore[attr-defined]
        try:
            with open(handle, "wb") as file:
                file.write(head)
                file.write(body)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)  # renamed into a free name: no flush to disk (module doc)
            os.rename(temporary, name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except (zlib.error, pickle.UnpicklingError, EOFError):
            return default  # read while it was written over (module doc): a miss

    def _write_content(self, file: IO[bytes], timeout: Any, value: Any) -> None:
        for part in self._content(timeout, value):  # (touch() writes through this)
            file.write(part)

    def _content(self, timeout: Any, value: Any) -> tuple[bytes, bytes]:
        expiry = self.get_backend_timeout(timeout)
        return (
            pickle.dumps(expiry, self.pickle_protocol),
            zlib.compress(pickle.dumps(value, self.pickle_protocol), 0),
        )

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


def _written_over(name: str, content: bytes) -> bool:
    """Write `content` over the file's, in place, when the file holds as many bytes."""
    try:
        handle = os.open(name, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        if os.fstat(handle).st_size != len(content):
            return False
        return os.pwrite(handle, content, 0) == len(content)
    finally:
        os.close(handle)
