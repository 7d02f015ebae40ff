from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.federation.peer import Peer


@pytest.fixture
def peer() -> Iterator[Peer]:
    alice = Peer("alice")
    yield alice
    alice.close()


@pytest.fixture
def federating(settings: Any, live_server: Any) -> str:
    """Federation on, this site at the live server's address, 127.0.0.1 reachable."""
    settings.FEDERATION_ENABLED = True
    settings.FEDERATION_ALLOW_PRIVATE = True
    settings.SITE_URL = live_server.url
    return str(live_server.url)


def run_worker() -> list[str]:
    """What the worker does with every task due now, until none is left; their names."""
    from django_tasks_db.models import DBTaskResult

    from broadsheet.federation import tasks

    names = ("federate_post", "federate_answer", "federate_actor", "deliver")
    known = {name: getattr(tasks, name) for name in names}
    done: list[str] = []
    for _ in range(50):
        queued = [q for q in DBTaskResult.objects.ready() if q.task_path.rsplit(".", 1)[1] in known]
        if not queued:
            return done
        for task in queued:
            task.delete()
            name = task.task_path.rsplit(".", 1)[1]
            known[name].call(*task.args_kwargs["args"])
            done.append(name)
    return done
