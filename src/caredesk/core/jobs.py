"""Background jobs, one way to start them whatever runs them.

- ``celery``: with a broker (REDIS_URL or CAREDESK_BROKER_URL) a job is a Celery task,
  run by `caredesk worker`; periodic jobs come from Celery beat.
- ``embedded``: without one, the serving process runs them: a job on a small thread pool
  after the request's transaction commits, and the periodic jobs on a scheduler thread
  that exactly one process on the machine holds (a file lock in the data directory).
- ``inline``: the test suite runs a job at once, when the transaction commits.

Every job keeps its state in the database (due times, outbox rows with leases), so the
queue only triggers work: a job that is lost, late or run twice loses and repeats
nothing, and the periodic jobs pick up whatever a lost trigger left behind.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.utils.module_loading import import_string

from caredesk.core.periodic import PeriodicJob

logger = logging.getLogger(__name__)

# A job that meets a database error (a failover, a restart) is tried again with
# exponential backoff and jitter, up to ten minutes apart.
RETRY: dict[str, Any] = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 20,
}


@cache
def periodic_jobs() -> Mapping[str, PeriodicJob]:
    """The table of periodic jobs, named by the CAREDESK_PERIODIC_JOBS setting (the
    composition root declares it: config/schedule.py)."""
    jobs: Mapping[str, PeriodicJob] = import_string(settings.CAREDESK_PERIODIC_JOBS)
    return jobs


class Task(Protocol):
    """What a Celery task offers that the dispatcher uses."""

    name: str

    def __call__(self, *args: Any) -> Any: ...

    def apply_async(self, args: tuple[Any, ...] | None = None, **options: Any) -> Any: ...


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def job_enqueue(task: Task, *args: Any) -> None:
    """Run ``task(*args)`` once the current transaction has committed (at once outside
    one): what it reads is then there to read."""
    transaction.on_commit(lambda: job_dispatch(task, args))


def job_dispatch(task: Task, args: tuple[Any, ...]) -> None:
    mode = settings.CAREDESK_JOBS
    if mode == "celery":
        try:
            task.apply_async(args=args)
        except Exception:  # the broker is down: the periodic job will find the work
            logger.warning("Could not queue %s; a periodic job will pick it up", task.name)
    elif mode == "inline":
        task(*args)
    else:
        _embedded_pool().submit(_run_in_thread, task, args)


def _embedded_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="caredesk-job")
        return _pool


def _run_in_thread(task: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run a job on a thread of this process, with its own database connection."""
    close_old_connections()
    try:
        task(*args)
    except Exception:
        logger.exception("Job %s%r failed; its periodic job will try again", task, args)
    finally:
        connections.close_all()


def periodic_run(name: str) -> None:
    """Run one periodic job now, in this process (the CLI and the embedded scheduler)."""
    task: Callable[[], Any] = import_string(periodic_jobs()[name].task)
    task()


class EmbeddedScheduler:
    """Runs the periodic jobs on their intervals while it holds the machine's scheduler
    lock; other processes wait and take over when the holder goes away."""

    def __init__(self, *, lock_path: Path | None = None, poll_seconds: float = 1.0) -> None:
        self.lock_path = lock_path or Path(settings.DATA_DIR) / "scheduler.lock"
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.next_run: dict[str, float] = {}
        self._lock_file: Any = None

    def acquire(self) -> bool:
        """Take the machine's scheduler lock if nobody holds it."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.lock_path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    def run_due(self, now: float | None = None) -> list[str]:
        """Run every job whose time has come (all of them on the first call)."""
        now = time.monotonic() if now is None else now
        ran = []
        for name, job in periodic_jobs().items():
            if self.next_run.get(name, 0.0) > now:
                continue
            self.next_run[name] = now + job.seconds
            close_old_connections()
            try:
                periodic_run(name)
            except Exception:
                logger.exception("Periodic job %s failed; it runs again in %ss", name, job.seconds)
            ran.append(name)
        return ran

    def run_forever(self, *, retry_lock_seconds: float = 30.0) -> None:
        while not self.stopping.is_set():
            if self._lock_file is None and not self.acquire():
                self.stopping.wait(retry_lock_seconds)
                continue
            self.run_due()
            self.stopping.wait(self.poll_seconds)
        connections.close_all()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="caredesk-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def embedded_scheduler_start() -> EmbeddedScheduler | None:
    """In the embedded mode, start the scheduler thread in this process (a gunicorn
    worker); with a broker, Celery beat schedules and this does nothing."""
    if settings.CAREDESK_JOBS != "embedded":
        return None
    scheduler = EmbeddedScheduler()
    scheduler.start()
    return scheduler
