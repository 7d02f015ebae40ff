from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.operations.servicefiles import Install, service_files


def _this_broadsheet() -> Path:
    beside = Path(sys.executable).parent / "broadsheet"  # the virtual environment's own
    if beside.exists():
        return beside
    found = shutil.which("broadsheet")
    return Path(found) if found else beside


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # an operator's command: no URL conf to import
    help = (
        "Write systemd units for the web server and the worker (broadsheet-web.service, "
        "broadsheet-worker.service) into DIR, hardened, for /etc/systemd/system/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, required=True, metavar="DIR")
        parser.add_argument("--user", default="broadsheet", help="the account they run as")
        parser.add_argument(
            "--env-file",
            type=Path,
            default=Path("/etc/broadsheet/broadsheet.env"),
            help="the file of settings they read (SECRET_KEY, DATABASE_URL …)",
        )
        parser.add_argument(
            "--executable", type=Path, help="the broadsheet command (default: this one)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        if not output.is_dir():
            raise CommandError(f"{output}: no such folder.")
        install = Install(
            executable=(options["executable"] or _this_broadsheet()).absolute(),
            data_dir=Path(settings.DATA_DIR).absolute(),
            user=options["user"],
            environment_file=options["env_file"].absolute(),
        )
        for name, text in service_files(install).items():
            (output / name).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output / name}")
        self.stdout.write(
            f"Install: sudo cp {output}/broadsheet-*.service /etc/systemd/system/ && sudo "
            "systemctl daemon-reload && sudo systemctl enable --now broadsheet-web broadsheet-worker"
        )
