from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from broadsheet.operations.restore import RestoreRefused, restore


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # an operator's command: no URL conf to import
    help = (
        "Restore a backup made by `broadsheet backup` into this (empty) site, after verifying "
        "every checksum. Stop the server and the worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a site that is not empty (its uploads are kept aside)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            result = restore(path, force=options["force"])
        except (RestoreRefused, DatabaseError, OSError) as error:
            raise CommandError(str(error)) from None
        counts = result.manifest["counts"]
        self.stdout.write(
            f"Restored the backup of {result.manifest['created_at']}: "
            f"{counts.get('publishing.post', 0):,} posts, "
            f"{counts.get('discussion.comment', 0):,} comments, "
            f"{result.media_files:,} uploaded files."
        )
        if result.previous_media is not None:
            self.stdout.write(f"The site's earlier uploads were moved to {result.previous_media}.")
        self.stdout.write(
            "Next: `broadsheet migrate` (if this version is newer), then start the site."
        )
