"""The embedded database: WAL mode, and concurrent writers that wait instead of failing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.processes import broadsheet, broadsheet_env

WRITER = """
import django, os, time
django.setup()
from django.db import transaction
from broadsheet.publishing.models import Tag
worker = os.environ["WORKER"]
for i in range(40):
    with transaction.atomic():
        # Read, then write: in SQLite's default deferred mode this upgrade fails at once with
        # "database is locked" under contention; IMMEDIATE transactions make it wait instead.
        Tag.objects.filter(slug__startswith=worker).count()
        Tag.objects.create(name=f"{worker}-{i}", slug=f"{worker}-{i}")
        time.sleep(0.005)  # hold the write lock a little, so the writers really collide
print("ok")
"""


def test_concurrent_writers_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    # SQLite's locking is what is tested here, whatever database the rest of the suite uses.
    env = broadsheet_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    broadsheet(env, "migrate", "--noinput")
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER],
            env={**env, "WORKER": f"w{n}"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    results = [w.communicate(timeout=120) for w in writers]
    for (out, err), writer in zip(results, writers, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == "ok"
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM publishing_tag").fetchone()[0] == 160
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
