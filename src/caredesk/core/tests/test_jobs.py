"""The embedded scheduler of background jobs (the Celery path is tested with a real
worker and Redis in automation/tests/test_jobs_celery.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caredesk.config.schedule import PERIODIC_JOBS
from caredesk.core.jobs import EmbeddedScheduler


def test_the_embedded_scheduler_runs_each_job_on_its_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    monkeypatch.setattr("caredesk.core.jobs.periodic_run", ran.append)
    scheduler = EmbeddedScheduler(lock_path=tmp_path / "scheduler.lock")
    assert scheduler.run_due(now=1000.0) == list(PERIODIC_JOBS)  # everything at start
    assert scheduler.run_due(now=1001.0) == []
    assert scheduler.run_due(now=1000.0 + 60) == ["timers", "webhooks", "routing"]
    assert scheduler.run_due(now=1000.0 + 300) == list(PERIODIC_JOBS)
    assert ran.count("timers") == 3


def test_one_process_on_the_machine_holds_the_scheduler(tmp_path: Path) -> None:
    first = EmbeddedScheduler(lock_path=tmp_path / "scheduler.lock")
    second = EmbeddedScheduler(lock_path=tmp_path / "scheduler.lock")
    assert first.acquire()
    assert not second.acquire()
    first.stop()
    assert second.acquire()
    second.stop()


def test_a_failing_periodic_job_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    def run(name: str) -> None:
        if name == "timers":
            raise RuntimeError("database went away")
        ran.append(name)

    monkeypatch.setattr("caredesk.core.jobs.periodic_run", run)
    scheduler = EmbeddedScheduler(lock_path=tmp_path / "scheduler.lock")
    assert scheduler.run_due(now=0.0) == list(PERIODIC_JOBS)
    assert ran == [n for n in PERIODIC_JOBS if n != "timers"]
