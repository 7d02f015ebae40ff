from __future__ import annotations

import errno
import os
import socket
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

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

        port_check_free(host=options["host"], port=options["port"])
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


def port_check_free(*, host: str, port: int) -> None:
    """Refuse a port another process listens on.

    Granian's workers bind with SO_REUSEPORT, so a second server on a port in use would start
    without a word and share it with the first: requests would reach either site at random.
    A plain bind (SO_REUSEADDR only, so a restart is not held up by closing connections) fails
    while anything listens there.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise CommandError(
            f"Cannot listen on {host}: {exc.strerror}. Give an address of this machine with "
            "--host or the HOST setting (HOST=127.0.0.1, or HOST=0.0.0.0 for every interface)."
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {port} on {host} is already in use by another process (another "
                    "`broadsheet serve`?). Stop it, or serve on a free port with --port or the "
                    f"PORT setting (PORT={port + 1 if port < 65535 else 8000})."
                ) from None
            raise CommandError(
                f"Cannot listen on {host} port {port}: {exc.strerror}. Choose another port with "
                "--port or the PORT setting (ports below 1024 need root)."
            ) from None
