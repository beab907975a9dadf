"""Timed work: SLA warnings and breaches, commitment reminders, and time-based rules.

Each runs in one transaction with what it triggers (notifications, rules, webhook
rows), so a crash leaves either all of it or none of it, and a run that repeats finds
nothing left to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.automation.conditions import Conditions
from caredesk.automation.models import RuleRun, Trigger
from caredesk.automation.services.engine import Event, automation_fire, rules_run
from caredesk.automation.services.rules import ActiveRule, rules_for
from caredesk.notifications.models import NotificationKind
from caredesk.notifications.services import notify, responsible_for
from caredesk.sla.services import sla_check
from caredesk.tickets.enums import TicketStatus
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.commitments import commitment_reminders

TARGET_NAMES = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
}


@dataclass(frozen=True)
class TimerStats:
    breaches: int
    warnings: int
    reminders: int


def timers_run(*, now: dt.datetime | None = None) -> TimerStats:
    """Record what became due, tell the people responsible, run the rules it triggers."""
    now = now or timezone.now()
    with transaction.atomic():
        events = sla_check(now=now)
        reminded = commitment_reminders(now=now)
        ids = {e.ticket_id for e in events} | {c.ticket_id for c in reminded}
        tickets = Ticket.objects.select_related("assignee", "team").in_bulk(list(ids))
        for e in events:
            ticket = tickets.get(e.ticket_id)
            if ticket is None:
                continue
            what = TARGET_NAMES.get(e.target, e.target)
            if e.kind == "breach":
                kind, text = NotificationKind.SLA_BREACH, f"SLA breached ({what})"
            else:
                kind, text = NotificationKind.SLA_WARNING, f"SLA {what} due soon"
            notify(
                users=responsible_for(ticket),
                kind=kind,
                text=f"{text}: #{ticket.pk} {ticket.subject}",
                ticket=ticket,
            )
            automation_fire(
                event=Event(
                    f"sla.{e.kind}",
                    ticket.pk,
                    key=f"sla:{e.target}:{e.kind}:{e.at.isoformat()}",
                    detail={"target": e.target, "due": e.at.isoformat()},
                    at=now,
                ),
                ticket=ticket,
            )
        for c in reminded:
            ticket = tickets[c.ticket_id]
            notify(
                users=[c.made_by] if c.made_by else responsible_for(ticket),
                kind=NotificationKind.COMMITMENT_DUE,
                text=_("Promise due %(due_at)s: %(description)s (#%(pk)s)")
                % {
                    "due_at": format(c.due_at, "%H:%M"),
                    "description": c.description,
                    "pk": ticket.pk,
                },
                ticket=ticket,
            )
            automation_fire(
                event=Event(
                    Trigger.COMMITMENT_DUE,
                    ticket.pk,
                    key=f"commitment:{c.pk}",
                    detail={"commitment": c.description, "due": c.due_at.isoformat()},
                    at=now,
                ),
                ticket=ticket,
            )
    return TimerStats(
        breaches=sum(e.kind == "breach" for e in events),
        warnings=sum(e.kind == "warning" for e in events),
        reminders=len(reminded),
    )


_HOURS_COLUMNS = {
    "hours_in_status": "status_changed_at",
    "hours_since_created": "created_at",
    "hours_since_updated": "updated_at",
}
_PLAIN_COLUMNS = ("status", "priority", "type", "channel")


def time_rule_candidates(rule: ActiveRule, *, now: dt.datetime) -> Q:
    """A filter that every ticket the rule applies to passes (more may pass; the
    conditions decide): its plain and time conditions in SQL, when matched with all."""
    q = ~Q(status=TicketStatus.CLOSED) & Q(merged_into__isnull=True)
    conditions: Conditions = rule.conditions
    if conditions.match != "all":
        return q
    for c in conditions.items:
        if c.field in _HOURS_COLUMNS and c.op in ("gt", "gte"):
            column = _HOURS_COLUMNS[c.field]
            q &= Q(**{f"{column}__lte": now - dt.timedelta(hours=float(c.value))})
        elif c.field in _PLAIN_COLUMNS and c.op == "is":
            q &= Q(**{c.field: c.value})
        elif c.field in _PLAIN_COLUMNS and c.op == "in":
            q &= Q(**{f"{c.field}__in": list(c.value)})
    return q


def time_rules_run(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Run each time-based rule once on each ticket that meets its conditions, once per
    stretch of the ticket's status (a rule that ran since the status last changed does
    not run again); at most ``limit`` tickets per rule and run. Returns the runs."""
    now = now or timezone.now()
    total = 0
    for rule in rules_for(Trigger.TIME):
        since = Coalesce("status_changed_at", "updated_at")
        ran_this_stretch = RuleRun.objects.filter(
            rule_id=rule.id, ticket=OuterRef("pk"), at__gte=OuterRef("_since")
        )
        candidates = list(
            Ticket.objects.filter(time_rule_candidates(rule, now=now))
            .annotate(_since=since)
            .filter(~Exists(ran_this_stretch))
            .order_by("id")
            .values_list("pk", "_since")[:limit]
        )
        for pk, stretch_start in candidates:
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().filter(pk=pk).first()
                if ticket is None:
                    continue
                event = Event(Trigger.TIME, pk, key=f"time:{stretch_start.isoformat()}", at=now)
                total += len(rules_run(event=event, ticket=ticket, rules=[rule]))
    return total
