from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from broadsheet.core.env import env_int, env_str


class Command(BaseCommand):
    help = "Serve the site with Granian (WSGI), one worker process per CPU core by default."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default=env_str("HOST", "127.0.0.1"), help="Address to listen on (HOST)."
        )
        parser.add_argument(
            "--port",
            type=int,
            default=env_int("PORT", 8000, minimum=1, maximum=65535),
            help="Port (PORT).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("WEB_WORKERS", os.cpu_count() or 1, minimum=1),
            help="Worker processes (WEB_WORKERS); default: one per core.",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("WEB_THREADS", 1, minimum=1),
            help="Threads per worker (WEB_THREADS).",
        )
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="Skip collecting static files first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Broadsheet on http://{options['host']}:{options['port']}/ "
            f"({options['workers']} worker{'s' if options['workers'] != 1 else ''})"
        )
        Granian(
            "broadsheet.wsgi:application",
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=options["workers"],
            blocking_threads=options["threads"],
            respawn_failed_workers=True,
        ).serve()
