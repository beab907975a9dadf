"""gunicorn hooks for `caredesk serve` and `caredesk demo`."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Embedded mode (no broker): every worker offers to run the periodic jobs, and the
    one that holds the machine's scheduler lock does; with a broker, nothing happens."""
    from caredesk.core.jobs import embedded_scheduler_start

    embedded_scheduler_start()
