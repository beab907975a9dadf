"""Staffing over JSON: the calculators, the call-centre event webhook, queue statistics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from caredesk.core.api import staff_actor
from caredesk.staffing.calculator import (
    erlang_a_figures,
    erlang_b_figures,
    erlang_c_figures,
    required_figures,
)
from caredesk.staffing.intervals import IntervalStats, totals
from caredesk.staffing.models import CallQueue, CallRecord
from caredesk.staffing.schemas import (
    CallEventIn,
    CallEventOut,
    ErlangAIn,
    ErlangAOut,
    ErlangBIn,
    ErlangBOut,
    ErlangCIn,
    ErlangCOut,
    IntervalsOut,
    QueueOut,
    RequiredIn,
    RequiredOut,
)
from caredesk.staffing.selectors import day_range, queue_get, queue_intervals, queue_list
from caredesk.staffing.services import CallEventData, call_event_record

router = Router(tags=["staffing"])


def _f(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _ff(value: Decimal) -> Fraction:
    return Fraction(value)


@router.get("/erlang-c", response=ErlangCOut)
def erlang_c(request: HttpRequest, q: Query[ErlangCIn]) -> dict[str, Any]:
    """Erlang C (M/M/N) at a given number of agents."""
    staff_actor(request)
    return erlang_c_figures(
        volume=_ff(q.volume), interval_seconds=_ff(q.interval_seconds), aht=_ff(q.aht),
        agents=_ff(q.agents), target_seconds=_ff(q.target_seconds),
    )  # fmt: skip


@router.get("/erlang-a", response=ErlangAOut)
def erlang_a(request: HttpRequest, q: Query[ErlangAIn]) -> dict[str, Any]:
    """Erlang A (M/M/N+M, with abandonment) at a given number of agents."""
    staff_actor(request)
    return erlang_a_figures(
        volume=_ff(q.volume), interval_seconds=_ff(q.interval_seconds), aht=_ff(q.aht),
        agents=_ff(q.agents), patience_seconds=_ff(q.patience_seconds),
        target_seconds=_ff(q.target_seconds),
    )  # fmt: skip


@router.get("/erlang-b", response=ErlangBOut)
def erlang_b(request: HttpRequest, q: Query[ErlangBIn]) -> dict[str, Any]:
    """Erlang B: blocking on a number of lines, or the lines for a blocking target."""
    staff_actor(request)
    return erlang_b_figures(
        load=_ff(q.traffic), servers=_f(q.servers), max_blocking=_f(q.max_blocking)
    )


@router.get("/required", response=RequiredOut)
def required(request: HttpRequest, q: Query[RequiredIn]) -> dict[str, Any]:
    """The least agents meeting every target, and the staff to schedule."""
    staff_actor(request)
    return required_figures(
        volume=_ff(q.volume), interval_seconds=_ff(q.interval_seconds), aht=_ff(q.aht),
        target_seconds=_ff(q.target_seconds), target_level=_f(q.target_level),
        target_asa=_f(q.target_asa), patience_seconds=_f(q.patience_seconds),
        max_abandon=_f(q.max_abandon), max_occupancy=_f(q.max_occupancy),
        shrinkage=_f(q.shrinkage),
    )  # fmt: skip


def call_out(c: CallRecord) -> dict[str, Any]:
    return {
        "call_id": c.call_id,
        "queue": c.queue.name,
        "customer_id": c.customer_id,
        "ticket_id": c.ticket_id,
        "agent_id": c.agent_id,
        "queued_at": c.queued_at,
        "answered_at": c.answered_at,
        "abandoned_at": c.abandoned_at,
        "ended_at": c.ended_at,
        "wait_seconds": c.wait_seconds,
        "talk_seconds": c.talk_seconds,
    }


@router.post("/call-events", response={200: CallEventOut, 201: CallEventOut})
def call_event(request: HttpRequest, body: CallEventIn) -> Status[dict[str, Any]]:
    """A telephony or chat system reports a queued, answered, abandoned or ended call.
    Idempotent: the same (call_id, event) twice is stored once (200 the second time)."""
    staff_actor(request)
    recorded = call_event_record(
        data=CallEventData(
            kind=body.event, call_id=body.call_id, queue=body.queue, at=body.at,
            phone=body.phone, agent_email=body.agent_email, ticket_id=body.ticket_id,
        )
    )  # fmt: skip
    out = {"created": recorded.created, "call": call_out(recorded.record)}
    return Status(201 if recorded.created else 200, out)


def queue_out(q: CallQueue) -> dict[str, Any]:
    return {
        "id": q.pk,
        "name": q.name,
        "channel": q.channel,
        "target_level": float(q.target_level),
        "target_seconds": q.target_seconds,
        "patience_seconds": q.patience_seconds,
    }


@router.get("/queues", response=list[QueueOut])
def queues(request: HttpRequest) -> list[dict[str, Any]]:
    staff_actor(request)
    return [queue_out(q) for q in queue_list()]


def interval_out(r: IntervalStats) -> dict[str, Any]:
    return {
        "start": r.start,
        "offered": r.offered,
        "answered": r.answered,
        "abandoned": r.abandoned,
        "aht_seconds": r.aht_seconds,
        "asa_seconds": r.asa_seconds,
        "service_level": r.service_level,
        "abandon_rate": r.abandon_rate,
    }


@router.get("/queues/{queue_id}/intervals", response=IntervalsOut)
def intervals(
    request: HttpRequest,
    queue_id: int,
    date: dt.date,
    days: int = 1,
    interval_minutes: int = 30,
    tz: str = "UTC",
) -> dict[str, Any]:
    """Per-interval volume, AHT, ASA, service level and abandonment of a queue, for whole
    days in a time zone."""
    staff_actor(request)
    queue = queue_get(queue_id=queue_id)
    start, end = day_range(start=date, days=days, tz=tz)
    rows = queue_intervals(queue=queue, start=start, end=end, interval_minutes=interval_minutes)
    total = totals(rows)
    return {
        "queue": queue.name,
        "interval_minutes": interval_minutes,
        "intervals": [interval_out(r) for r in rows],
        "total": interval_out(total) if total else None,
    }
