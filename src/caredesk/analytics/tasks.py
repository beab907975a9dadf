"""Jobs of the analytics domain: scheduled reports, the daily KPI rollups."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def reports_due_task() -> int:
    """Mail the scheduled reports whose time has come."""
    from caredesk.analytics.reports import reports_due

    return reports_due()


@shared_task(acks_late=True)
def rollups_task() -> dict[str, int]:
    """Rebuild the KPI rollups of the days that changed; build days not built yet."""
    from caredesk.analytics.rollups import rollups_refresh

    return rollups_refresh()
