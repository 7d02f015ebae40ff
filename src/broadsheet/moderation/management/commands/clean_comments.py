from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.moderation.services import comments_clean


class Command(BaseCommand):
    help = (
        "Empty trash and spam older than the Discussion setting, and anonymise commenters' IP "
        "addresses past their retention window. Meant to run daily (cron or a systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = comments_clean()
        self.stdout.write(
            f"Emptied {done['emptied']} comments from trash and spam; "
            f"anonymised {done['anonymised']} IP addresses."
        )
