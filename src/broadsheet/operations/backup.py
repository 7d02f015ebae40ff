"""`broadsheet backup`: the database, the uploaded files and the export in one checked archive.

The archive is written beside its destination under a temporary name and renamed when
complete, so a file with a backup's name is always a whole backup. The daily backups live in
DATA_DIR/backups/, the last BACKUP_KEEP of them kept.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from broadsheet.importers.json_export import json_export
from broadsheet.notifications.models import ScheduledRun
from broadsheet.operations import archive
from broadsheet.operations.snapshot import consistent_read, engine

PREFIX = "broadsheet-backup-"
SUFFIX = ".tar"
COMPLETED = "backup-completed"
SKIPPED_EXPORT = (
    "the database's schema is older than this version (migrations pending): its export is "
    "left out; the database copy is whole"
)  # ScheduledRun name: when the last backup was finished


def pending_migrations_exist() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    manifest: dict[str, Any]


def backups_folder() -> Path:
    return Path(settings.DATA_DIR) / "backups"


def default_path() -> Path:
    """A new file in DATA_DIR/backups/ named for the moment (…-2 if that second is taken)."""
    folder = backups_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{PREFIX}{timezone.now():%Y%m%d-%H%M%S}"
    path, number = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}{SUFFIX}"
    return path


def backup_create(*, output: Path | None = None) -> BackupResult:
    """Take a backup into `output` (default: a new file in DATA_DIR/backups/)."""
    if output is None:
        output = default_path()
    folder = output.parent
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=folder) as work:
        handle, partial = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                manifest = _write(stream, Path(work))
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(partial, 0o600)  # password hashes and emails: the operator's eyes only
            os.replace(partial, output)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    _completed()
    return BackupResult(output, output.stat().st_size, manifest)


def _write(stream: Any, work: Path) -> dict[str, Any]:
    export = work / archive.EXPORT
    current = not pending_migrations_exist()
    with consistent_read(work) as snapshot:
        exported: dict[str, Any] = {"skipped": SKIPPED_EXPORT}
        if current:  # today's code reads today's schema only
            with export.open("w", encoding="utf-8", newline="\n") as text:
                exported = dict(json_export(output=text))
        taken_at = timezone.now()
    media = _media_files()
    manifest = {
        "format": archive.FORMAT,
        "broadsheet": version("broadsheet"),
        "created_at": taken_at.isoformat(),
        "engine": snapshot.engine,
        "site_url": settings.SITE_URL,
        "migrations": snapshot.migrations,
        "counts": snapshot.counts,
        "export": exported,
        "media": {"files": len(media), "stored": "archive" if _local_media() else "elsewhere"},
    }
    writer = archive.Writer(stream)
    writer.add_bytes(archive.MANIFEST, json.dumps(manifest, indent=1).encode())
    writer.add_file(archive.DATABASES[snapshot.engine], snapshot.database)
    if current:
        writer.add_file(archive.EXPORT, export)
    for relative, path in media:
        try:
            writer.add_file(f"media/{relative}", path)
        except FileNotFoundError:  # deleted since it was listed: it is gone from the site too
            continue
    writer.close()
    return manifest


def _local_media() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def _media_files() -> list[tuple[str, Path]]:
    """Uploaded files on this machine's disk (with S3_BUCKET they live in the bucket, which
    keeps its own copies: docs/deployment.md)."""
    if not _local_media():
        return []
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path.relative_to(root).as_posix(), path))
    return found


def _completed() -> None:
    now = timezone.now()
    if not ScheduledRun.objects.filter(name=COMPLETED).update(last_run_at=now):
        ScheduledRun.objects.get_or_create(name=COMPLETED, defaults={"last_run_at": now})
    connection.close_if_unusable_or_obsolete()


@dataclass(frozen=True)
class Stored:
    name: str
    path: Path
    size: int
    manifest: dict[str, Any] | None  # None: unreadable (damaged, or not a backup)


def stored_backups() -> list[Stored]:
    """The backups in DATA_DIR/backups/, newest first."""
    folder = backups_folder()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob(f"{PREFIX}*{SUFFIX}"), key=_age_order, reverse=True):
        try:
            manifest: dict[str, Any] | None = archive.read_manifest(path)
        except Exception:  # any damage: listed as unreadable, never an error page
            manifest = None
        found.append(Stored(path.name, path, path.stat().st_size, manifest))
    return found


def _age_order(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, path.name


def backups_prune(*, keep: int) -> list[str]:
    """Delete all but the newest `keep` backups in DATA_DIR/backups/; the names deleted."""
    removed = []
    for stored in stored_backups()[keep:]:
        stored.path.unlink(missing_ok=True)
        removed.append(stored.name)
    return removed


__all__ = ["BackupResult", "backup_create", "backups_prune", "engine", "stored_backups"]
