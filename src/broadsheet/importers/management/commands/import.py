from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.progress import ImportProblem, ImportReport, Progress

# Each source is a function (*, path, dry_run, progress, report) -> None in its module.
SOURCES = {
    "wordpress": (
        "broadsheet.importers.wordpress",
        "wordpress_import",
        "a WordPress export (WXR 1.0–1.2)",
    ),
    "disqus": ("broadsheet.importers.disqus", "disqus_import", "a Disqus export (XML)"),
    "isso": ("broadsheet.importers.isso", "isso_import", "an Isso database (SQLite)"),
    "json": ("broadsheet.importers.json_format", "json_import", "a Broadsheet JSON export"),
}


class Command(BaseCommand):
    help = (
        "Import posts, pages and comments: `broadsheet import wordpress FILE.xml`, "
        "`import disqus FILE.xml`, `import isso FILE.db`, `import json FILE.json`. Running it "
        "again changes nothing; an interrupted import resumes where it stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        for name, (_, _, what) in SOURCES.items():
            source = sub.add_parser(name, help=f"import {what}")
            source.add_argument("file", type=Path)
            source.add_argument(
                "--dry-run", action="store_true", help="read and check everything, save nothing"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        module_name, function_name, what = SOURCES[options["source"]]
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file (expected {what}).")
        run = getattr(importlib.import_module(module_name), function_name)
        report = ImportReport(dry_run=options["dry_run"])
        progress = Progress(label=f"Importing {path.name}", total=path.stat().st_size)
        try:
            run(path=path, dry_run=options["dry_run"], progress=progress, report=report)
        except ImportProblem as problem:
            raise CommandError(f"{path}: {problem}") from None
        progress.finish()
        for line in report.lines():
            self.stdout.write(line)
