"""SQLite's WAL checkpoints are done by a web worker's thread, not inside a request
(broadsheet.core.checkpoints, decision 0133)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from broadsheet.core.checkpoints import FALLBACK_PAGES, checkpoint_in_background
from tests.processes import broadsheet_env

# Loads the web application as a server does, writes through Django, then waits: what the
# database file holds on its own (without its log) is what was checkpointed.
_WORKER = """
import time
from broadsheet.wsgi import application
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA wal_autocheckpoint")
    print(cursor.fetchone()[0])
    cursor.execute("CREATE TABLE marks (n integer)")
    for n in range(50):
        cursor.execute("INSERT INTO marks VALUES (%s)", [n])
time.sleep(2)
print("done")
"""


def test_a_web_worker_copies_the_log_back_without_a_request(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as made:
        made.execute("PRAGMA journal_mode=WAL")
    env = broadsheet_env(tmp_path, f"sqlite:///{database}")
    out = subprocess.run(
        [sys.executable, "-c", _WORKER], env=env, check=True, capture_output=True, text=True,
        timeout=120,
    ).stdout.split()  # fmt: skip
    assert out == [str(FALLBACK_PAGES), "done"]  # a request checkpoints only past the fallback
    alone = tmp_path / "alone.sqlite3"
    shutil.copy(database, alone)  # the file without its -wal: only what was copied back
    with sqlite3.connect(alone) as copy:
        assert copy.execute("SELECT COUNT(*) FROM marks").fetchone() == (50,)


def test_nothing_starts_without_a_database_file(tmp_path: Path) -> None:
    missing = tmp_path / "not-yet.sqlite3"
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(missing)}
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "broadsheet"}
    for database in (sqlite, postgres):
        assert checkpoint_in_background(database) is None
    assert not missing.exists()  # never created by the checkpointer
