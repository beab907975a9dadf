"""What a ticket keeps about itself for the reports (docs/kpis.md): when it was first
solved or closed and how long after its creation, and how long its first response took.
Durations are whole microseconds. (The first response in business time, where the
ticket's SLA policy has a calendar, is the SLA's to keep: sla/facts.py.)

The services that change the status or record the first response set them
(solved_facts, first_response_facts); ticket_facts_backfill derives them from the
history, for imported and existing tickets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from caredesk.core.periods import micros
from caredesk.tickets.enums import EventKind, TicketStatus
from caredesk.tickets.models import Ticket, TicketEvent

SOLVED = sorted({TicketStatus.SOLVED, TicketStatus.CLOSED})
FACT_FIELDS = ["first_solved_at", "resolution_us", "first_response_us"]


def solved_facts(ticket: Ticket, status: str, at: dt.datetime) -> dict[str, Any]:
    """The fields to write when ``ticket`` goes to ``status`` at ``at``: its first solve."""
    if status in SOLVED and ticket.first_solved_at is None:
        return {"first_solved_at": at, "resolution_us": micros(ticket.created_at, at)}
    return {}


def first_response_facts(ticket: Ticket, at: dt.datetime) -> dict[str, Any]:
    """The fields to write when the first response to ``ticket`` is given at ``at``."""
    return {
        "first_response_at": at,
        "first_response_us": micros(ticket.created_at, at),
    }


def with_first_solved(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate first_solved from the history: the first change to solved or closed; for
    a ticket with no recorded status change, when it was solved or closed."""
    first_change = (
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"), kind=EventKind.CHANGED, field="status", new_value__in=SOLVED
        )
        .order_by("at", "id")
        .values("at")[:1]
    )
    return tickets.annotate(
        first_solved=Coalesce(Subquery(first_change), F("solved_at"), F("closed_at"))
    )


def ticket_facts_backfill(tickets: QuerySet[Ticket] | None = None, *, batch: int = 5000) -> int:
    """Derive the reporting facts of ``tickets`` (all by default) from their history and
    write them; returns how many tickets changed."""
    rows = with_first_solved(tickets if tickets is not None else Ticket.objects.all())
    return _backfill(rows, batch)


def ticket_facts_backfill_all() -> None:
    """ticket_facts_backfill of every ticket, on PostgreSQL in a few statements (an
    upgrade of a large installation)."""
    if connection.vendor != "postgresql":
        ticket_facts_backfill()
        return
    since = ExpressionWrapper(F("first_solved_at") - F("created_at"), DurationField())
    answered = ExpressionWrapper(F("first_response_at") - F("created_at"), DurationField())
    with_first_solved(Ticket.objects.all()).update(first_solved_at=F("first_solved"))
    Ticket.objects.update(resolution_us=_Micros(since), first_response_us=_Micros(answered))


class _Micros(Func):
    """Whole microseconds of an interval (PostgreSQL)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def chunks_by_pk(rows: QuerySet[Any], fields: list[str], batch: int) -> Iterator[list[Any]]:
    """``rows`` as lists of ``values_list("pk", *fields)``, ``batch`` at a time in
    primary-key order (keyset pages: constant memory over any number of rows)."""
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:batch])
        if not chunk:
            return
        last = chunk[-1][0]
        yield chunk


def _backfill(rows: QuerySet[Ticket], batch: int) -> int:
    changed = 0
    fields = ["created_at", "first_solved", "first_response_at", *FACT_FIELDS]
    for chunk in chunks_by_pk(rows, fields, batch):
        updates = []
        for pk, created, solved, first, *stored in chunk:
            facts = [
                solved,
                None if solved is None else micros(created, solved),
                None if first is None else micros(created, first),
            ]
            if facts != stored:
                updates.append(Ticket(pk=pk, **dict(zip(FACT_FIELDS, facts, strict=True))))
        Ticket.objects.bulk_update(updates, FACT_FIELDS, batch_size=1000)
        changed += len(updates)
    return changed
