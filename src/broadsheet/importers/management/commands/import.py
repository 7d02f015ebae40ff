from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.progress import ImportProblem, ImportReport, Progress
from broadsheet.importers.tasks import FUNCTIONS

# What each source reads; the functions are in tasks.FUNCTIONS.
SOURCES = {
    "wordpress": "a WordPress export (WXR 1.0–1.2)",
    "disqus": "a Disqus export (XML)",
    "isso": "an Isso database (SQLite)",
    "json": "a Broadsheet JSON export",
}


class Command(BaseCommand):
    help = (
        "Import posts, pages and comments: `broadsheet import wordpress FILE.xml "
        "[--media download]`, "
        "`import disqus FILE.xml`, `import isso FILE.db`, `import json FILE.json`. Running it "
        "again changes nothing; an interrupted import resumes where it stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        for name, what in SOURCES.items():
            source = sub.add_parser(name, help=f"import {what}")
            source.add_argument("file", type=Path)
            source.add_argument(
                "--dry-run", action="store_true", help="read and check everything, save nothing"
            )
            if name == "wordpress":
                source.add_argument(
                    "--media",
                    choices=["keep", "download"],
                    default="keep",
                    help=(
                        "keep: images stay at the old site's addresses (the report counts "
                        "them); download: copy them into this site's media (DATA_DIR/media/imports/) "
                        "and rewrite their addresses"
                    ),
                )

    def handle(self, *args: Any, **options: Any) -> None:
        what = SOURCES[options["source"]]
        module_name, function_name = FUNCTIONS[options["source"]]
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file (expected {what}).")
        run = getattr(importlib.import_module(module_name), function_name)
        report = ImportReport(dry_run=options["dry_run"])
        progress = Progress(label=f"Importing {path.name}", total=path.stat().st_size)
        extra = {"media": options["media"]} if options["source"] == "wordpress" else {}
        try:
            run(path=path, dry_run=options["dry_run"], progress=progress, report=report, **extra)
        except ImportProblem as problem:
            raise CommandError(f"{path}: {problem}") from None
        progress.finish()
        for line in report.lines():
            self.stdout.write(line)
