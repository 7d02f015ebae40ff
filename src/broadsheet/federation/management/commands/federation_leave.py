"""`broadsheet federation_leave`: the site and its authors leave the fediverse."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Leave the fediverse: every actor of this site sends Delete of itself to its followers' "
        "servers (by the worker) and answers 410 Gone from now on. Keep FEDERATION_ENABLED on "
        "until the worker has delivered them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.FEDERATION_ENABLED:
            raise CommandError("FEDERATION_ENABLED is off: nothing would be delivered.")
        from broadsheet.federation.services import actors_leave

        count = actors_leave()
        self.stdout.write(f"{count} actor(s) left; the worker delivers their Delete.")
