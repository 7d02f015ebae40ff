"""/metrics: Prometheus's text format, for this machine (loopback) or a bearer of METRICS_TOKEN.

Counters and histograms (core.metrics) are summed over every web worker process when
`broadsheet serve` runs them (prometheus-client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR
set by the CLI); the queue gauges are read from the database at each scrape (decision 0086).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from broadsheet.operations.health import figures


class QueueCollector(Collector):
    """Outbox and task queue depth, worker lag and the last backup's age, read per scrape."""

    def collect(self) -> Iterator[Metric]:
        f = figures()
        gauges = (
            ("broadsheet_outbox_pending", "Emails waiting to be sent.", f.outbox_pending),
            ("broadsheet_tasks_ready", "Queued tasks ready to run.", f.tasks_ready),
            (
                "broadsheet_task_lag_seconds",
                "How long the oldest ready task has waited (0: queue empty).",
                f.task_lag or 0.0,
            ),
            (
                "broadsheet_outbox_oldest_seconds",
                "How long the oldest waiting email has been due (0: none).",
                f.outbox_oldest_age or 0.0,
            ),
            (
                "broadsheet_worker_heartbeat_age_seconds",
                "Seconds since a worker last went round (-1: never).",
                -1.0 if f.heartbeat_age is None else f.heartbeat_age,
            ),
            (
                "broadsheet_backup_age_seconds",
                "Seconds since the last backup finished (-1: never).",
                -1.0 if f.backup_age is None else f.backup_age,
            ),
        )
        for name, documentation, value in gauges:
            yield GaugeMetricFamily(name, documentation, value=value)


_queues = QueueCollector()
_registered = False


def exposition() -> bytes:
    global _registered
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_queues)
        return generate_latest(registry)
    if not _registered:
        REGISTRY.register(_queues)
        _registered = True
    return generate_latest(REGISTRY)


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    # Straight from this machine: a request relayed by a proxy on it (which adds
    # X-Forwarded-For) came from elsewhere.
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_X_REAL_IP" in request.META:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
