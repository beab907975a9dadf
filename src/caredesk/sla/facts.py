"""The one reporting fact a ticket's SLA keeps on it: how long its first response took
in business time, in the calendar of its SLA policy (docs/kpis.md). Whole microseconds;
None where the policy has no calendar (or the ticket no policy).

The SLA reaction writes it when the first response is given (sla_first_response_fact)
and after a history import; sla_business_facts_backfill derives it for existing tickets.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from caredesk.core.business_hours import business_minutes_between
from caredesk.sla.models import BusinessCalendar, TicketSla
from caredesk.sla.services import calendar_of
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.facts import chunks_by_pk

FIELD = "first_response_business_us"


def business_us(calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> int:
    """Business microseconds from start to end in ``calendar``."""
    return round(business_minutes_between(calendar_of(calendar), start, end) * 60_000_000)


def sla_first_response_fact(*, ticket: Ticket, sla: TicketSla | None) -> None:
    """Write the business time of the ticket's first response (just given)."""
    calendar = sla.policy.calendar if sla is not None else None
    first = ticket.first_response_at
    value = (
        None
        if calendar is None or first is None
        else business_us(calendar, ticket.created_at, first)
    )
    if value != ticket.first_response_business_us:
        Ticket.objects.filter(pk=ticket.pk).update(**{FIELD: value})
        ticket.first_response_business_us = value


def sla_business_facts_backfill(
    tickets: QuerySet[Ticket] | None = None, *, batch: int = 5000
) -> int:
    """Derive the first response in business time of ``tickets`` (all by default) from
    their first response and their policy's calendar and write it where it differs;
    returns how many tickets changed."""
    calendars = {c.pk: c for c in BusinessCalendar.objects.all()}
    rows = tickets if tickets is not None else Ticket.objects.all()
    changed = 0
    for chunk in chunks_by_pk(
        rows, ["created_at", "first_response_at", "sla__policy__calendar", FIELD], batch
    ):
        updates = []
        for pk, created, first, calendar_id, stored in chunk:
            value = (
                None
                if first is None or calendar_id is None
                else business_us(calendars[calendar_id], created, first)
            )
            if value != stored:
                updates.append(Ticket(pk=pk, first_response_business_us=value))
        Ticket.objects.bulk_update(updates, [FIELD], batch_size=1000)
        changed += len(updates)
    return changed
