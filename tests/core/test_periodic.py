"""The worker's schedule runs what other apps registered (core.periodic): jobs each period,
claimed once across workers, and jobs on every round (federation's resumed deliveries)."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.core import periodic

pytestmark = pytest.mark.django_db


def test_a_job_registered_for_each_tick_runs_on_every_round(monkeypatch: Any) -> None:
    from broadsheet.federation.tasks import resume_deliveries
    from broadsheet.notifications.tasks import tick

    assert resume_deliveries in periodic.tick_jobs()  # registered by federation's app
    rounds: list[int] = []
    monkeypatch.setattr(periodic, "_each_tick", dict(periodic._each_tick))

    @periodic.each_tick
    def count() -> None:
        rounds.append(1)

    periodic.each_tick(count)  # registering twice runs it once a round
    tick()
    tick()
    assert rounds == [1, 1]
