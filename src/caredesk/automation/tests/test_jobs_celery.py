"""Celery on the machine's real Redis: a worker killed in the middle of a job (a webhook
delivery to a receiver that hangs) loses nothing; the job completes after a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery

from caredesk.automation.models import WebhookDelivery
from caredesk.automation.services.webhooks import subscription_save
from caredesk.core.testing import caredesk_process

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = 14  # the job tests' own database on the machine's Redis, emptied first


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The machine's Redis, database 14, emptied; under CI=true a missing Redis fails."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2):
            pass
    except OSError as exc:
        message = f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT} ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI=true the job tests must run on Redis")
        pytest.skip(message)

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    client.flushdb()
    yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    client.flushdb()


def _start_worker(redis_url: str, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    return caredesk_process(  # type: ignore[no-any-return]
        ["worker", "--concurrency=1", "--no-beat", "--loglevel=info"],
        env={
            "CAREDESK_DATA_DIR": str(data_dir),
            "REDIS_URL": redis_url,
            "CAREDESK_JOB_VISIBILITY_TIMEOUT": "3",
            "CAREDESK_WEBHOOK_TIMEOUT": "2",
        },
        log=log,
    )


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool, at once
    worker.wait(10)


def _wait_for(check: Any, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_completes_after_restart(
    redis_url: str, receiver: Any, tmp_path: Path
) -> None:
    subscription = subscription_save(
        name="CRM",
        url=receiver.url,
        events=["ticket.created"],
        allow_private=True,
        actor_is_admin=True,
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="ticket.created", payload={"n": 1}
    )
    receiver.hold = threading.Event()
    receiver.hold.set()  # the first request hangs: the worker is mid-job
    log = tmp_path / "worker.log"
    worker = _start_worker(redis_url, tmp_path, log)
    try:
        with Celery(broker=redis_url) as producer:
            producer.send_task("caredesk.automation.tasks.webhook_deliver_task", args=[delivery.pk])
        _wait_for(receiver.holding.is_set, 60, "the worker to start the job", log)
        _kill(worker)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        receiver.release.set()

        worker = _start_worker(redis_url, tmp_path, log)

        def delivered() -> bool:
            delivery.refresh_from_db()
            return delivery.status == "delivered"

        _wait_for(delivered, 90, "the job to complete after the restart", log)
    finally:
        _kill(worker)
    assert delivery.attempts == 2
    assert len(receiver.requests) == 2  # the interrupted send, then the one that landed
    assert WebhookDelivery.objects.count() == 1
