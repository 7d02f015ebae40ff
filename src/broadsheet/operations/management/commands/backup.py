from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.operations.backup import backup_create
from broadsheet.operations.sizes import human_size
from broadsheet.operations.snapshot import SnapshotError


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # an operator's command: no URL conf to import
    help = (
        "Back the site up while it runs: the database, uploaded files and the JSON export in "
        "one archive with a manifest and SHA-256 checksums (default: DATA_DIR/backups/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, metavar="FILE", help="where to write the archive (.tar)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"{output}: the folder {output.parent} does not exist.")
        try:
            result = backup_create(output=output)
        except (SnapshotError, OSError) as error:
            raise CommandError(f"The backup failed: {error}") from None
        counts = result.manifest["counts"]
        self.stdout.write(
            f"Wrote {result.path} ({human_size(result.size)}): "
            f"{counts.get('publishing.post', 0):,} posts, "
            f"{counts.get('discussion.comment', 0):,} comments, "
            f"{counts.get('accounts.user', 0):,} accounts, "
            f"{result.manifest['media']['files']:,} uploaded files."
        )
