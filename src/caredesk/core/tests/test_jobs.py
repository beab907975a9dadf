"""The embedded scheduler of background jobs (the Celery path is tested with a real
worker and Redis in automation/tests/test_jobs_celery.py)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import time
from pathlib import Path

import pytest
from django.utils import timezone

from caredesk.config.schedule import PERIODIC_JOBS
from caredesk.core.jobs import EmbeddedScheduler
from caredesk.core.testing import caredesk_process
from caredesk.sla.models import SlaPolicy, TicketSla
from caredesk.tickets.factories import ticket_make


def test_the_embedded_scheduler_runs_each_job_on_its_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    monkeypatch.setattr("caredesk.core.jobs.periodic_run", ran.append)
    scheduler = EmbeddedScheduler(lock_path=tmp_path / "scheduler.lock")
    assert scheduler.run_due(now=1000.0) == list(PERIODIC_JOBS)  # everything at start
    assert scheduler.run_due(now=1001.0) == []
    assert scheduler.run_due(now=1000.0 + 60) == [
        "timers",
        "webhooks",
        "outbox",
        "surveys",
        "mail-fetch",
        "knowledge",
        "routing",
    ]
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


@pytest.mark.django_db(transaction=True)
def test_caredesk_serve_runs_the_periodic_jobs_itself_without_a_broker(tmp_path: Path) -> None:
    SlaPolicy.objects.create(name="Fast", first_response_minutes=1)
    ticket = ticket_make(created_at=timezone.now() - dt.timedelta(minutes=5))
    clock = TicketSla.objects.get(ticket=ticket)
    assert clock.first_response_breached is None  # due 4 minutes ago, not yet recorded
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    server = caredesk_process(
        ["serve", "--port", str(port), "--workers", "2"],
        env={"CAREDESK_DATA_DIR": str(tmp_path), "REDIS_URL": "", "CAREDESK_BROKER_URL": ""},
        log=log,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            clock.refresh_from_db()
            if clock.first_response_breached is not None:
                break
            time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    assert clock.first_response_breached == clock.first_response_due, log.read_text()[-3000:]
