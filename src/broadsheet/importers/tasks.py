"""Imports started from the admin run on the worker: the request only stores the file."""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files.storage import storages
from django.utils import timezone
from django_tasks import task

from broadsheet.importers.models import ImportRun
from broadsheet.importers.progress import ImportProblem, ImportReport, Progress

logger = logging.getLogger(__name__)

FUNCTIONS = {
    "wordpress": ("broadsheet.importers.wordpress", "wordpress_import"),
    "disqus": ("broadsheet.importers.disqus", "disqus_import"),
    "isso": ("broadsheet.importers.isso", "isso_import"),
    "json": ("broadsheet.importers.json_format", "json_import"),
}


class RunProgress(Progress):
    """Progress written to the run's row (at most once a second) for the admin page."""

    def __init__(self, run: ImportRun) -> None:
        super().__init__(label=run.file_name, total=run.file_size or None, interval=1.0)
        self.run = run
        self.tty = False

    def _draw(self, *, final: bool) -> None:
        ImportRun.objects.filter(pk=self.run.pk).update(
            progress_done=self.done, progress_total=self.total, updated_at=timezone.now()
        )


@task()
def run_import(run_id: int) -> str:
    run = ImportRun.objects.get(pk=run_id)
    if run.status == ImportRun.Status.DONE:
        return run.status
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    module, name = FUNCTIONS[run.format]
    function: Any = getattr(importlib.import_module(module), name)
    report = ImportReport(dry_run=run.dry_run)
    progress = RunProgress(run)
    extra = {"media": run.media} if run.format == "wordpress" else {}
    try:
        with _local_copy(run.stored_path) as path:
            function(path=path, dry_run=run.dry_run, progress=progress, report=report, **extra)
    except ImportProblem as problem:
        status, text = ImportRun.Status.FAILED, f"{run.file_name}: {problem}"
    except Exception:
        logger.exception("Import run %s failed.", run.pk)
        status, text = (
            ImportRun.Status.FAILED,
            (
                "The import stopped on an unexpected error (it is in the worker's log). Everything "
                "written before it is complete; starting the import again resumes it."
            ),
        )
    else:
        progress.finish()
        status, text = ImportRun.Status.DONE, "\n".join(report.lines())
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, report=text, updated_at=timezone.now()
    )
    if status == ImportRun.Status.DONE:
        if os.path.isabs(run.stored_path):  # stored before the `imports` storage existed
            Path(run.stored_path).unlink(missing_ok=True)
        else:
            storages["imports"].delete(run.stored_path)
    return status


@contextmanager
def _local_copy(stored: str) -> Iterator[Path]:
    """The uploaded file as a path on this machine: the importers stream it from disk (and
    SQLite opens Isso's database by name), while a bucket is shared by every machine."""
    if os.path.isabs(stored):
        yield Path(stored)
        return
    storage = storages["imports"]
    try:
        local = Path(storage.path(stored))
    except NotImplementedError:  # not on a local disk: copied into a temporary file
        pass
    else:
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="broadsheet-import-") as folder:
        copy = Path(folder) / "upload"
        with storage.open(stored, "rb") as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target, length=1 << 20)
        yield copy
