from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from broadsheet.core.env import env_int
from broadsheet.notifications.outbox import stop_requested
from broadsheet.notifications.tasks import tick

logger = logging.getLogger("broadsheet.worker")


class Command(BaseCommand):
    help = (
        "Run the background worker: queued tasks (django-tasks' database backend), email "
        "sending, scheduled publishing and daily housekeeping. Stop it with Ctrl-C or SIGTERM: "
        "it finishes the email it is sending and exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=float(env_int("WORKER_INTERVAL", 5, minimum=1)),
            help="Seconds between looks at the queue and the schedule (WORKER_INTERVAL).",
        )  # fmt: skip
        parser.add_argument(
            "--once", action="store_true", help="Do one round of everything, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["interval"]
        stop = threading.Event()
        if options["once"]:
            tick()
            self._run_queue(stop, interval=interval)
            return

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop_requested.set()
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        scheduler = threading.Thread(
            target=self._schedule, args=(stop, interval), daemon=True, name="scheduler"
        )
        scheduler.start()
        self.stdout.write(f"Broadsheet worker running (every {interval:g} s). Ctrl-C stops it.")
        while not stop.is_set():
            self._run_queue(stop, interval=interval)
            stop.wait(interval)
        scheduler.join(timeout=60)

    def _schedule(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                tick()
            except Exception:  # one bad round must not end the worker
                logger.exception("Periodic work failed; trying again in %s s.", interval)
            finally:
                close_old_connections()
            stop.wait(interval)

    def _run_queue(self, stop: threading.Event, *, interval: float) -> None:
        """Run queued django-tasks tasks until the queue is empty or we are asked to stop.

        One task at a time, so a stop request is honoured between two tasks.
        """
        from django_tasks_db.management.commands.db_worker import Worker

        while not stop.is_set():
            worker = Worker(
                queue_names=["default"], interval=interval, batch=True, backend_name="default",
                startup_delay=False, max_tasks=1, worker_id="broadsheet", excluded_queue_names=[],
            )  # fmt: skip
            worker.run()
            close_old_connections()
            if worker._run_tasks == 0:  # the queue is empty
                return
