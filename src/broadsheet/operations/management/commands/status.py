from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from broadsheet.operations.health import readiness


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # an operator's command: no URL conf to import
    help = (
        "What /readyz reports: database, cache, the worker's last heartbeat, the outbox, the "
        "task queue and the last backup. Exits 1 when the site is not ready."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print /readyz's JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        ready, report = readiness()
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self.stdout.write(f"Broadsheet: {report['status']}")
            for name, check in report["checks"].items():
                details = ", ".join(
                    f"{key} {'-' if value is None else value}"
                    for key, value in check.items()
                    if key != "status"
                )
                self.stdout.write(f"  {name:<9} {check['status']:<5} {details}")
        if not ready:
            raise SystemExit(1)
