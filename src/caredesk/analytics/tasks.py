"""Jobs of the analytics domain: scheduled reports."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def reports_due_task() -> int:
    """Mail the scheduled reports whose time has come."""
    from caredesk.analytics.reports import reports_due

    return reports_due()
