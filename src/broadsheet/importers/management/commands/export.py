from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.discussion.models import Comment
from broadsheet.importers.json_export import json_export
from broadsheet.importers.progress import Progress
from broadsheet.importers.wxr_export import wordpress_export
from broadsheet.publishing.models import Post

Exporter = Callable[..., Counter[str]]
TARGETS: dict[str, tuple[Exporter, str]] = {
    "wordpress": (wordpress_export, "a WordPress export (WXR 1.2) for Tools → Import in WordPress"),
    "json": (
        json_export,
        "everything, as JSON (docs/export-format.md); `broadsheet import json` reads it",
    ),
}


class Command(BaseCommand):
    help = (
        "Export the site: `broadsheet export wordpress --output site.xml` (for WordPress) or "
        "`broadsheet export json --output site.json` (everything, for `broadsheet import json`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="target", required=True, metavar="FORMAT")
        for name, (_, what) in TARGETS.items():
            target = sub.add_parser(name, help=f"write {what}")
            target.add_argument("--output", type=Path, required=True, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        export, _ = TARGETS[options["target"]]
        output: Path = options["output"]
        folder = output.parent if str(output.parent) else Path(".")
        if not folder.is_dir():
            raise CommandError(f"{output}: the folder {folder} does not exist.")
        total = Post.objects.count() + Comment.objects.count()
        progress = Progress(
            label=f"Writing {output.name}", total=total or None, stream=cast(TextIO, self.stderr)
        )
        # Written beside the target and renamed at the end: an interrupted export never
        # leaves a file that looks complete.
        handle, partial = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                written = export(output=stream, progress=progress)
            os.chmod(partial, 0o644)
            os.replace(partial, output)
        except OSError as error:
            raise CommandError(f"{output}: could not be written ({error.strerror}).") from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        progress.finish()
        counts = ", ".join(f"{n:,} {kind}" for kind, n in written.items() if n) or "nothing"
        size = output.stat().st_size
        self.stdout.write(f"Wrote {counts} to {output} ({_size(size)}).")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
