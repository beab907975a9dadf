"""The periodic jobs: one table that Celery beat and the embedded scheduler both read.

Each job only triggers work whose state lives in the database (due times, outbox
rows), so running one late, twice or on two machines at once does no harm.
"""

from __future__ import annotations

from caredesk.core.periodic import PeriodicJob

PERIODIC_JOBS: dict[str, PeriodicJob] = {
    "timers": PeriodicJob(
        "caredesk.automation.tasks.timers_task",
        60,
        "SLA warnings and breaches, commitment reminders, and the rules they trigger",
    ),
    "time-rules": PeriodicJob(
        "caredesk.automation.tasks.time_rules_task",
        300,
        'time-based automation rules ("pending for 3 days")',
    ),
    "webhooks": PeriodicJob(
        "caredesk.automation.tasks.webhooks_due_task",
        30,
        "webhook deliveries due (first tries that were missed, and retries)",
    ),
    "outbox": PeriodicJob(
        "caredesk.channels.tasks.outbox_due_task",
        30,
        "outgoing email due (first tries that were missed, and retries)",
    ),
    "surveys": PeriodicJob(
        "caredesk.surveys.tasks.surveys_due_task",
        60,
        "survey invitations due (missed first tries and retries), NPS campaigns due",
    ),
    "reports": PeriodicJob(
        "caredesk.analytics.tasks.reports_due_task",
        300,
        "scheduled KPI reports due (weekly on Mondays, monthly on the 1st, 07:00 local)",
    ),
    "rollups": PeriodicJob(
        "caredesk.analytics.tasks.rollups_task",
        300,
        "daily KPI rollups: rebuild the days that changed, build days not built yet",
    ),
    "mail-fetch": PeriodicJob(
        "caredesk.channels.tasks.mail_fetch_task",
        60,
        "fetch new mail from every IMAP mailbox",
    ),
    "knowledge": PeriodicJob(
        "caredesk.knowledge.tasks.knowledge_due_task",
        60,
        "articles whose publishing time came, vectors of changed articles, the question model",
    ),
    "routing": PeriodicJob(
        "caredesk.routing.tasks.routing_drain_task",
        60,
        "assign queued tickets to agents who have room",
    ),
}


def beat_schedule() -> dict[str, dict[str, object]]:
    """Celery beat's form of the table."""
    return {
        name: {"task": job.task, "schedule": float(job.seconds)}
        for name, job in PERIODIC_JOBS.items()
    }
