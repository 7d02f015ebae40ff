from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.notes.runs import fit_scores, notes_score


class Command(BaseCommand):
    help = (
        "Run the context notes' scorer now, as the worker does after new ratings, and print "
        "what the run recorded (docs/notes-publishing.md)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = notes_score(fitted=fit_scores())
        self.stdout.write(
            f"Scored {run.notes} notes on {run.ratings} ratings by {run.raters} readers "
            f"({run.ignored} ratings from accounts too new left out) in {run.duration_ms} ms; "
            f"statuses changed: {run.changes}."
        )
