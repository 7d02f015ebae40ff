"""What /readyz, /metrics and `broadsheet status` report: a handful of cheap queries.

Ready (HTTP 200) means this web process can serve: its database and its cache answer. The
worker's heartbeat, the outbox, the task queue and the last backup are reported beside, each
"ok" or "warn" with the reason, without making the site unready: a load balancer must not take
web machines out because the worker stopped (decision 0085).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.utils import timezone

from broadsheet.notifications.models import OutgoingEmail, ScheduledRun
from broadsheet.notifications.tasks import HEARTBEAT
from broadsheet.operations.backup import COMPLETED

WORKER_SILENT = timedelta(minutes=5)  # a worker goes round every WORKER_INTERVAL (5 s)
BACKUP_OLD = timedelta(hours=36)  # daily, with a margin
OUTBOX_LATE = timedelta(minutes=15)


@dataclass(frozen=True)
class Figures:
    """The numbers behind the checks, also exported as metrics."""

    heartbeat_age: float | None
    backup_age: float | None
    outbox_pending: int
    outbox_oldest_age: float | None
    tasks_ready: int
    task_lag: float | None


def _age(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else max((now - moment).total_seconds(), 0.0)


def figures() -> Figures:
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    runs = dict(
        ScheduledRun.objects.filter(name__in=(HEARTBEAT, COMPLETED)).values_list(
            "name", "last_run_at"
        )
    )
    outbox = OutgoingEmail.objects.filter(
        status__in=(OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING)
    ).aggregate(oldest=Min("next_attempt_at"), pending=Count("id"))
    pending = outbox["pending"]
    ready = DBTaskResult.objects.ready()
    queue = ready.aggregate(oldest=Min("enqueued_at"), count=Count("id"))
    return Figures(
        heartbeat_age=_age(runs.get(HEARTBEAT), now),
        backup_age=_age(runs.get(COMPLETED), now),
        outbox_pending=pending,
        outbox_oldest_age=_age(outbox["oldest"], now) if pending else None,
        tasks_ready=queue["count"],
        task_lag=_age(queue["oldest"], now),
    )


def _probe(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:
        return {"status": "fail", "error": f"{type(error).__name__}: {error}"[:300]}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set("operations:ready", 1, 60)
    if cache.get("operations:ready") != 1:
        raise RuntimeError("the cache did not keep a value")


def _warn_if(condition: bool, reason: str, **values: Any) -> dict[str, Any]:
    return {
        "status": "warn" if condition else "ok",
        **values,
        **({"reason": reason} if condition else {}),
    }


def readiness() -> tuple[bool, dict[str, Any]]:
    """(ready, the report as JSON)."""
    checks: dict[str, Any] = {"database": _probe(_database), "cache": _probe(_cache)}
    ready = all(check["status"] == "ok" for check in checks.values())
    if checks["database"]["status"] == "ok":
        try:
            found = figures()
        except DatabaseError as error:  # a database with no tables yet (before `migrate`)
            checks["schema"] = {"status": "fail", "error": f"{error}"[:300]}
            ready = False
        else:
            checks |= _background(found)
    return ready, {"status": "ready" if ready else "unready", "checks": checks}


def _background(f: Figures) -> dict[str, Any]:
    silent = f.heartbeat_age is None or f.heartbeat_age > WORKER_SILENT.total_seconds()
    late = f.outbox_oldest_age is not None and f.outbox_oldest_age > OUTBOX_LATE.total_seconds()
    backups_on = settings.BACKUP_KEEP > 0
    stale = backups_on and (f.backup_age is None or f.backup_age > BACKUP_OLD.total_seconds())
    return {
        "worker": _warn_if(
            silent, "no worker has gone round for 5 minutes: is `broadsheet worker` running?",
            last_heartbeat_seconds=_round(f.heartbeat_age),
        ),
        "outbox": _warn_if(
            late, "email has waited over 15 minutes to be sent",
            pending=f.outbox_pending, oldest_seconds=_round(f.outbox_oldest_age),
        ),
        "tasks": {"status": "ok", "ready": f.tasks_ready, "lag_seconds": _round(f.task_lag)},
        "backup": _warn_if(
            stale, "no backup finished in the last 36 hours",
            last_backup_seconds=_round(f.backup_age), daily=backups_on,
        ),
    }  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
