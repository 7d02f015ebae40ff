"""Jobs the worker runs now and then, registered by the apps that own them.

The worker (notifications, layer 5) runs the registered jobs from its schedule; an app above it
(operations' daily backup, federation's deliveries) registers here instead of being imported
by it. A job `every` period is claimed in the database before it runs, so with several
workers it runs once per period; a job `each_tick` runs on every round of every worker (it
must be cheap when there is nothing to do, and safe to run in two workers at once).
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


_each_tick: dict[str, Callable[[], object]] = {}


def each_tick(function: Callable[[], object]) -> Callable[[], object]:
    """Register the decorated function to run on each round of the worker's schedule."""
    _each_tick[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def tick_jobs() -> list[Callable[[], object]]:
    return list(_each_tick.values())
