"""Delivering one essay to many followers spread over many servers.

    .venv/bin/python bench/federation.py [--followers 10000] [--instances 500] [--slow 0.05] [--dead 0.05]

Simulated servers: one asyncio loop listening on `--instances` loopback ports (each port is
another host), each answering its shared inbox with 202 — a share of them after 3 s (`--slow`),
and a share not listening at all (`--dead`). The followers are spread evenly over them. An essay
is published; printed: the tasks the publishing request queued (target 1), the worker's time
to serve every live inbox (target ≤ 5 min for 10,000 followers over 500 instances), its peak
memory (max RSS, target ≤ 200 MB), and duplicates after a worker "restart" half-way (the
first run stops after its first chunk, its leases expire, a second run finishes: target 0).
Run it on a quiet machine for its figures; it runs small in seconds to show it works.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any


def _setup(data_dir: Path) -> None:
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.FEDERATION_ENABLED = True
    settings.FEDERATION_ALLOW_PRIVATE = True
    settings.FEDERATION_TIMEOUT = 5
    call_command("migrate", verbosity=0, interactive=False)


class Servers:
    """The simulated instances: what each received, by (port, activity id)."""

    def __init__(self, count: int, slow: float, dead: float) -> None:
        self.received: Counter[tuple[int, str]] = Counter()
        dead_count, slow_count = int(count * dead), int(count * slow)
        self.slow: set[int] = set()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        # Each live one listens on a port the system gives it (picking ports first let two
        # picks collide); the dead ones are free ports no one listens on.
        live = [
            asyncio.run_coroutine_threadsafe(self._listen(n < slow_count), self.loop).result()
            for n in range(count - dead_count)
        ]
        self.dead: set[int] = set()
        while len(self.dead) < dead_count:
            if (port := _free_port()) not in live:
                self.dead.add(port)
        self.ports = [*self.dead, *live]

    async def _listen(self, slow: bool) -> int:
        port = 0  # known once listening

        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
            body = await reader.readexactly(length)
            if port in self.slow:
                await asyncio.sleep(3)
            self.received[(port, json.loads(body)["id"])] += 1
            writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0, backlog=512)
        port = int(server.sockets[0].getsockname()[1])
        if slow:
            self.slow.add(port)
        return port


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _followers(servers: Servers, count: int) -> None:
    from broadsheet.federation.models import Follower, RemoteActor
    from broadsheet.federation.services import site_actor

    site = site_actor()
    actors = []
    for number in range(count):
        port = servers.ports[number % len(servers.ports)]
        base = f"http://127.0.0.1:{port}"
        actors.append(RemoteActor(uri=f"{base}/users/u{number}", key_id=f"{base}/users/u{number}#k",
                                  public_key_pem="-", inbox=f"{base}/users/u{number}/inbox",
                                  shared_inbox=f"{base}/inbox"))  # fmt: skip
    RemoteActor.objects.bulk_create(actors, batch_size=1000)
    Follower.objects.bulk_create(
        [Follower(actor=site, remote=remote, follow_id=f"{remote.uri}#f")
         for remote in RemoteActor.objects.all()], batch_size=1000,
    )  # fmt: skip


def _run_tasks(*, crash_after_first_chunk: bool = False) -> None:
    from django_tasks_db.models import DBTaskResult

    from broadsheet.federation import selectors, tasks

    while True:
        queued = list(DBTaskResult.objects.ready().filter(task_path__contains="federation"))
        if not queued:
            return
        for row in queued:
            row.delete()
            name = row.task_path.rsplit(".", 1)[1]
            if name == "deliver" and crash_after_first_chunk:
                original = selectors.deliveries_claim
                calls = []

                def claim_once(*args: object, calls: list[int] = calls, original: Any = original,
                               **kwargs: object) -> list[object]:  # fmt: skip
                    calls.append(1)
                    if len(calls) > 1:
                        raise SystemExit("the worker stops")
                    return original(*args, **kwargs)  # type: ignore[arg-type]

                selectors.deliveries_claim = claim_once  # type: ignore[assignment]
                try:
                    tasks.deliver.call(*row.args_kwargs["args"])
                except SystemExit:
                    pass
                finally:
                    selectors.deliveries_claim = original
                return
            getattr(tasks, name).call(*row.args_kwargs["args"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--slow", type=float, default=0.05)
    parser.add_argument("--dead", type=float, default=0.05)
    options = parser.parse_args()
    _setup(Path(tempfile.mkdtemp(prefix="bench-federation-")))
    from django_tasks_db.models import DBTaskResult
    from tests.factories import PostFactory

    from broadsheet.federation import tasks
    from broadsheet.federation.models import Delivery

    servers = Servers(options.instances, options.slow, options.dead)
    _followers(servers, options.followers)
    before = DBTaskResult.objects.count()
    PostFactory(title="A bench essay")  # the publishing request (its effects after the commit)
    queued = DBTaskResult.objects.filter(task_path__contains="federation").count()
    print(
        f"tasks the publishing request queued for federation: {queued} (all: {DBTaskResult.objects.count() - before})"
    )
    tasks.CHUNK = max(1, options.instances // 4)
    started = time.monotonic()
    _run_tasks(crash_after_first_chunk=True)  # the worker stops after its first chunk...
    Delivery.objects.filter(status="queued").update(
        due_at=Delivery.objects.model._meta.get_field("due_at").default()
    )
    for outgoing_id in (
        Delivery.objects.filter(status="queued").values_list("activity", flat=True).distinct()
    ):
        tasks.deliver.enqueue(outgoing_id)  # ...and the next one resumes (the tick's job)
    _run_tasks()
    elapsed = time.monotonic() - started
    live = len(servers.ports) - len(servers.dead)
    served = len({port for port, _ in servers.received})
    duplicates = sum(count - 1 for count in servers.received.values() if count > 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"followers {options.followers} over {options.instances} instances "
          f"({len(servers.dead)} dead, {len(servers.slow)} slow)")  # fmt: skip
    print(f"live inboxes served: {served}/{live} in {elapsed:.1f} s (target: all, <= 300 s)")
    print(f"duplicates after the restart: {duplicates} (target 0)")
    print(f"peak memory (max RSS): {peak:.0f} MB (target <= 200 MB)")
    print(f"left to retry later: {Delivery.objects.filter(status='queued').count()} (the dead)")
    ok = queued == 1 and served == live and duplicates == 0 and peak <= 200
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
