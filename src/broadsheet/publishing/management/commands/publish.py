from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.publishing.markdown_files import PublishError, publish_markdown_file


class Command(BaseCommand):
    help = (
        "Publish or update posts from Markdown files with YAML front matter (idempotent by slug)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE.md")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the files and report, but save nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed: list[str] = []
        for path in options["files"]:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                failed.append(f"{path}: cannot be read ({exc})")
                continue
            try:
                result = publish_markdown_file(
                    text=text, filename=str(path), dry_run=options["dry_run"]
                )
            except PublishError as exc:
                failed.extend(exc.problems)
                continue
            verb = {"created": "Published", "updated": "Updated", "unchanged": "Unchanged"}[
                result.outcome
            ]
            suffix = " (dry run)" if options["dry_run"] and result.outcome != "unchanged" else ""
            self.stdout.write(
                f"{verb}: {result.post.title} → {result.post.get_absolute_url()}{suffix}"
            )
        if failed:
            raise CommandError("\n".join(failed))
