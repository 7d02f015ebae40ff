from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.operations.upgrades import LARGE_ROWS, pending_migrations


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # an operator's command: no URL conf to import
    help = (
        "Before `broadsheet migrate`: the migrations this version would run, and which will "
        "rewrite, scan or index a large table (the site may slow or wait meanwhile)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        pending = pending_migrations()
        if not pending:
            self.stdout.write("No migrations pending: the database matches this version.")
            return
        large = 0
        self.stdout.write(f"{len(pending)} migration(s) pending:")
        for migration in pending:
            self.stdout.write(f"  {migration.app}.{migration.name}")
            for step in migration.steps:
                rows = "new table" if step.rows is None else f"{step.rows:,} rows"
                mark = "  LARGE" if step.large else ""
                large += step.large
                self.stdout.write(
                    f"      {step.operation}: {step.effect} {step.table} ({rows}){mark}"
                )
        if large:
            self.stdout.write(
                f"{large} step(s) touch a table of {LARGE_ROWS:,} rows or more: take a backup, "
                "and expect the site to be slow or wait for writes while `broadsheet migrate` runs."
            )
        else:
            self.stdout.write("None touches a large table.")
        self.stdout.write(
            "Sequence: broadsheet backup → broadsheet migrate → restart (docs/deployment.md)."
        )
