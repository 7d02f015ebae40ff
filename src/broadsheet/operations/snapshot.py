"""A consistent copy of the database taken while the site serves and takes comments.

SQLite: one read transaction on the site's own connection (WAL: writers carry on) in which the
online backup API copies every page in a single step, the row counts and migrations are read,
and the JSON export is written — all four see the same moment. PostgreSQL: a REPEATABLE READ
transaction exports its snapshot; pg_dump dumps exactly that snapshot while the counts, the
migrations and the export are read in the transaction itself.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction


class SnapshotError(Exception):
    pass


@dataclass(frozen=True)
class Snapshot:
    engine: str
    database: Path
    counts: dict[str, int]
    migrations: dict[str, list[str]]


def engine() -> str:
    """The site's database: "sqlite" or "postgresql"."""
    return str(connection.vendor)


@contextmanager
def consistent_read(folder: Path) -> Iterator[Snapshot]:
    """Copy the database into `folder`; inside the block the default connection reads the
    moment of that copy (the export is written there)."""
    if connection.in_atomic_block:
        raise SnapshotError("a backup cannot be taken inside a transaction")
    if "django_migrations" not in connection.introspection.table_names():
        raise SnapshotError("the database is empty (no tables): there is nothing to back up yet")
    if engine() == "sqlite":
        with _sqlite(folder) as snapshot:
            yield snapshot
    else:
        with _postgresql(folder) as snapshot:
            yield snapshot


@contextmanager
def _sqlite(folder: Path) -> Iterator[Snapshot]:
    target = folder / "database.sqlite3"
    connection.ensure_connection()
    raw: sqlite3.Connection = connection.connection
    # Django keeps the connection in autocommit; a deferred BEGIN followed by a read opens a
    # read transaction (a WAL snapshot) that blocks no writer.
    raw.execute("BEGIN DEFERRED")
    try:
        raw.execute("SELECT count(*) FROM django_migrations").fetchone()
        with sqlite3.connect(target) as copy:
            raw.backup(copy, pages=-1)  # one step: every page from this read transaction
        copy.close()
        yield Snapshot("sqlite", target, _counts(), _migrations())
    finally:
        raw.execute("ROLLBACK")


@contextmanager
def _postgresql(folder: Path) -> Iterator[Snapshot]:
    target = folder / "database.pgdump"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
        counts, migrations = _counts(), _migrations()
        _pg_dump(snapshot_id, target)
        yield Snapshot("postgresql", target, counts, migrations)


def _pg_dump(snapshot_id: str, target: Path) -> None:
    command = shutil.which("pg_dump")
    if command is None:
        raise SnapshotError(
            "pg_dump is not installed: install PostgreSQL's client programs (Debian: "
            "apt-get install postgresql-client), of the server's major version or newer"
        )
    args = [command, "--format=custom", "--no-owner", "--no-privileges"]
    args += [f"--snapshot={snapshot_id}", f"--file={target}"]
    result = subprocess.run(  # noqa: S603 (our own arguments)
        args, env=pg_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SnapshotError(f"pg_dump failed: {result.stderr.strip()[-800:]}")


def pg_environment() -> dict[str, str]:
    """libpq's variables for the site's database, for pg_dump, pg_restore and psql."""
    db: Any = settings.DATABASES["default"]
    names = {"NAME": "PGDATABASE", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    names |= {"HOST": "PGHOST", "PORT": "PGPORT"}
    env = {**os.environ}
    for key, variable in names.items():
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _counts() -> dict[str, int]:
    """Rows of every model's table, read in the snapshot's transaction."""
    counts: dict[str, int] = {}
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if not model._meta.managed or model._meta.proxy or table not in tables:
                continue
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[model._meta.label_lower] = cursor.fetchone()[0]
    return counts


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied
