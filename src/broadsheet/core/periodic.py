"""Jobs the worker runs now and then, registered by the apps that own them.

The worker (notifications, layer 5) runs the registered jobs from its schedule; an app above it
(operations' daily backup) registers here instead of being imported by it. Each job is claimed
in the database before it runs, so with several workers it runs once per period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], object]
    # False: skipped (the job is turned off by a setting); asked each round, so a test or an
    # operator changing the setting needs no restart.
    enabled: Callable[[], bool] = lambda: True


_jobs: dict[str, Job] = {}


def every(name: str, period: timedelta, *, enabled: Callable[[], bool] = lambda: True) -> Callable[
    [Callable[[], object]], Callable[[], object]
]:  # fmt: skip
    """Register the decorated function to run every `period` (claimed under `name`)."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        _jobs[name] = Job(name, period, function, enabled)
        return function

    return register


def jobs() -> list[Job]:
    return list(_jobs.values())
