"""Jobs of the automation domain: thin wrappers that re-read state and call services."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from caredesk.core.jobs import RETRY


@shared_task(acks_late=True, bind=True, **RETRY)
def webhook_deliver_task(self: Any, delivery_id: int) -> str:
    """Send one webhook delivery. If another worker holds its lease (one that died
    mid-send, say), try again when the lease runs out."""
    from caredesk.automation.services.webhooks import webhook_deliver

    attempt = webhook_deliver(delivery_id=delivery_id)
    if attempt.outcome == "busy" and self.request.called_directly is False:
        raise self.retry(countdown=attempt.wait_seconds + 1)
    return attempt.outcome


@shared_task(acks_late=True)
def webhooks_due_task() -> int:
    from caredesk.automation.services.webhooks import webhooks_due

    return webhooks_due()


@shared_task(acks_late=True)
def timers_task() -> dict[str, int]:
    from caredesk.automation.services.timers import timers_run

    stats = timers_run()
    return {"breaches": stats.breaches, "warnings": stats.warnings, "reminders": stats.reminders}


@shared_task(acks_late=True)
def time_rules_task() -> int:
    from caredesk.automation.services.timers import time_rules_run

    return time_rules_run()
