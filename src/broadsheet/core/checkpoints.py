"""SQLite's WAL checkpoints, done by a thread of each web worker instead of by a request.

In WAL mode a commit appends the pages it changed to the write-ahead log; now and then the
log is copied back into the database file (a checkpoint) and the file is flushed to disk.
By default the connection whose commit takes the log past 1,000 pages does it, inside that
request: with about 30 pages a published comment, one comment POST in 33 waited 20–100 ms
for it (the p99 of bench/compare_isso.py), a tenth of all the time spent POSTing.

A web worker (`broadsheet.wsgi`) therefore runs `checkpoint_in_background`: a daemon thread
with its own connection asks for a PASSIVE checkpoint every `INTERVAL` seconds. PASSIVE never
waits for readers or writers: it copies what it can, and a write meanwhile goes on appending.
The thread holds no lock of Python's while SQLite works (the sqlite3 module lets go of it).
The worker's own connections keep an automatic checkpoint, at `FALLBACK_PAGES`, in case the
thread cannot keep up or has stopped; other processes (the task worker, management commands)
keep SQLite's default. Decision 0133.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings

from broadsheet.core import sqlite

logger = logging.getLogger(__name__)

INTERVAL = 0.5  # seconds between two checkpoints
FALLBACK_PAGES = 20_000  # about 80 MB of log: a request checkpoints only past this
_started: set[str] = set()
_lock = threading.Lock()


def checkpoint_in_background(database: Mapping[str, Any] | None = None) -> threading.Thread | None:
    """Start this process's checkpointing thread, once, for a SQLite database on disk (the
    site's, unless given); None when there is nothing to do (PostgreSQL, no database file
    yet, already started)."""
    if database is None:
        database = settings.DATABASES["default"]
    if database["ENGINE"] not in sqlite.ENGINES:
        return None
    path = Path(str(database["NAME"]))
    with _lock:
        if str(path) in _started or not path.is_file():
            return None
        _started.add(str(path))
    thread = threading.Thread(
        target=_checkpoint_forever, args=(path,), name="sqlite-checkpoints", daemon=True
    )
    thread.start()
    return thread


def connection_opened(connection: Any) -> None:
    """A new connection of this process (core.signals): in a web worker whose thread
    checkpoints, its own commits checkpoint only past the fallback."""
    if _started and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")


def _checkpoint_forever(path: Path) -> None:
    database: sqlite3.Connection | None = None
    while True:
        time.sleep(INTERVAL)
        try:
            if database is None:
                # Read-write, never created: a database removed under us is not made again.
                database = sqlite3.connect(
                    f"file:{path}?mode=rw", uri=True, timeout=1, isolation_level=None
                )
            database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            logger.warning("A WAL checkpoint of %s failed; trying again.", path, exc_info=True)
            if database is not None:
                database.close()
            database = None
