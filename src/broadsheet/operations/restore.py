"""`broadsheet restore FILE`: a backup into this site, all of it or nothing.

Every checksum is verified before anything is touched. The database is then restored beside
the live one and swapped in at the end: SQLite by renaming a checked copy over the database
file, PostgreSQL by one psql transaction that empties the schema and loads the dump (an error
rolls all of it back). Uploaded files are unpacked into a new folder that takes the media
folder's place only once the database is in; the old folder is kept beside it.
Stop `broadsheet serve` and `broadsheet worker` first (docs/deployment.md).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from broadsheet.core.models import SingletonModel
from broadsheet.core.pagecache import LISTINGS, SITE, pages_bump
from broadsheet.operations import archive
from broadsheet.operations.snapshot import engine, pg_environment


class RestoreRefused(Exception):
    """Nothing was changed; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    media_files: int
    previous_media: Path | None  # where the site's earlier uploads were moved, if any


def restore(path: Path, *, force: bool = False) -> RestoreResult:
    try:
        verified = archive.verify(path)
    except archive.ArchiveError as error:
        raise RestoreRefused(f"{path} is refused: {error} Nothing was restored.") from None
    manifest = verified.manifest
    _compatible(manifest)
    if not force and (held := site_contents()):
        raise RestoreRefused(
            f"this site is not empty ({held}). Restore into a new, empty site, or add --force "
            "to replace everything it holds. Nothing was restored."
        )
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as work:
        staged = Path(work) / "media"
        files = _unpack(path, manifest, Path(work), staged)
        previous = _swap_media(staged, media_root)
        try:
            _swap_database(manifest["engine"], Path(work))
        except Exception:
            _unswap_media(media_root, previous)
            raise
    _forget_cached()
    return RestoreResult(manifest, files, previous)


def _compatible(manifest: dict[str, Any]) -> None:
    if manifest.get("engine") != engine():
        raise RestoreRefused(
            f"this backup is of a {manifest.get('engine')} site and this site uses {engine()}. "
            "Restore it into a site on the same database, or load its export.json with "
            "`broadsheet import json`. Nothing was restored."
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise RestoreRefused(
            f"this backup was made by a newer Broadsheet ({manifest.get('broadsheet')}; "
            f"unknown migrations: {', '.join(unknown[:5])}). Upgrade this installation first. "
            "Nothing was restored."
        )


def site_contents() -> str:
    """What makes this site not empty ("3 posts, 12 comments"), or "" when it is empty."""
    tables = set(connection.introspection.table_names())
    held = []
    for label, what in (("accounts.user", "accounts"), ("publishing.post", "posts")):
        model = apps.get_model(label)
        if model._meta.db_table in tables and (count := model._default_manager.count()):
            held.append(f"{count} {what}")
    comment = apps.get_model("discussion.comment")
    if comment._meta.db_table in tables and (count := comment._default_manager.count()):
        held.append(f"{count} comments")
    return ", ".join(held)


def _unpack(path: Path, manifest: dict[str, Any], work: Path, staged: Path) -> int:
    staged.mkdir()
    files = 0
    database = archive.DATABASES[manifest["engine"]]
    with tarfile.open(path, mode="r:") as tar:
        for member, relative in archive.media_members(tar):
            target = staged.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_out(tar, member, target)
            files += 1
        _copy_out(tar, tar.getmember(database), work / database)
    return files


def _copy_out(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    assert source is not None
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, archive.CHUNK)


def _swap_media(staged: Path, media_root: Path) -> Path | None:
    previous = None
    if media_root.exists():
        if not any(media_root.iterdir()):
            media_root.rmdir()
        else:
            previous = media_root.with_name(f"media.before-restore-{timezone.now():%Y%m%d-%H%M%S}")
            media_root.rename(previous)
    staged.rename(media_root)
    return previous


def _unswap_media(media_root: Path, previous: Path | None) -> None:
    shutil.rmtree(media_root, ignore_errors=True)
    if previous is not None:
        previous.rename(media_root)
    else:
        media_root.mkdir(exist_ok=True)


def _swap_database(kind: str, work: Path) -> None:
    if kind == "sqlite":
        _swap_sqlite(work / archive.DATABASES["sqlite"])
    else:
        _load_postgresql(work / archive.DATABASES["postgresql"], work)


def _swap_sqlite(copy: Path) -> None:
    check = sqlite3.connect(copy)
    try:
        (result,) = check.execute("PRAGMA integrity_check").fetchone()
    finally:
        check.close()
    if result != "ok":
        raise RestoreRefused(f"the backed-up database fails SQLite's integrity check ({result}).")
    live = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    if live.exists():
        # Fold the write-ahead log into the old file first: a stale -wal beside the new file
        # would be replayed into it.
        old = sqlite3.connect(live)
        old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        old.close()
    staged = live.with_name(f".{live.name}.restoring")
    shutil.move(copy, staged)  # same filesystem as the live file: the rename below is atomic
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    staged.replace(live)


def _load_postgresql(dump: Path, work: Path) -> None:
    for program in ("pg_restore", "psql"):
        if shutil.which(program) is None:
            raise RestoreRefused(
                f"{program} is not installed (Debian: apt-get install postgresql-client)."
            )
    script = work / "database.sql"
    env = pg_environment()
    converted = subprocess.run(  # noqa: S603
        ["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(dump)],  # noqa: S607
        env={k: v for k, v in env.items() if k != "PGDATABASE"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if converted.returncode != 0:
        raise RestoreRefused(f"pg_restore cannot read the dump: {converted.stderr[-800:]}")
    connections.close_all()
    loaded = subprocess.run(  # noqa: S603
        ["psql", "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1",  # noqa: S607
         "-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public", "-f", str(script)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if loaded.returncode != 0:
        raise DatabaseError(
            f"loading the dump failed and was rolled back: {loaded.stderr.strip()[-800:]}"
        )


def _forget_cached() -> None:
    """Settings and pages the cache kept from the site as it was before."""
    for model in apps.get_models():
        if issubclass(model, SingletonModel):
            cache.delete(model._cache_key())
    pages_bump([SITE, LISTINGS])
