"""Staffing over JSON: the calculators, the call-centre event webhook, queue statistics."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from caredesk.accounts.enums import Role
from caredesk.accounts.gates import staff_actor
from caredesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from caredesk.core.periods import day_range
from caredesk.staffing.calculator import (
    erlang_a_figures,
    erlang_b_figures,
    erlang_c_figures,
    required_figures,
)
from caredesk.staffing.costs import cost_curve
from caredesk.staffing.errors import StaffingErrorCode
from caredesk.staffing.intervals import IntervalStats, totals
from caredesk.staffing.models import CallQueue, CallRecord, Plan
from caredesk.staffing.planning import plan_make
from caredesk.staffing.schemas import (
    CallEventIn,
    CallEventOut,
    CostCurveIn,
    CostCurveOut,
    ErlangAIn,
    ErlangAOut,
    ErlangBIn,
    ErlangBOut,
    ErlangCIn,
    ErlangCOut,
    IntervalsOut,
    PlanIn,
    PlanOut,
    QueueOut,
    RequiredIn,
    RequiredOut,
    TicketIntervalsOut,
)
from caredesk.staffing.selectors import (
    queue_get,
    queue_intervals,
    queue_list,
    ticket_intervals,
)
from caredesk.staffing.services import CallEventData, call_event_record
from caredesk.tickets.enums import Channel

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
        shrinkage=_f(q.shrinkage), concurrency=_f(q.concurrency),
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
        "concurrency": q.concurrency,
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


@router.get("/cost-curve", response=CostCurveOut)
def cost(request: HttpRequest, q: Query[CostCurveIn]) -> dict[str, Any]:
    """Staff cost against the cost of waiting for each number of agents, and the
    cheapest in total."""
    staff_actor(request)
    curve = cost_curve(
        volume=float(q.volume), interval_seconds=float(q.interval_seconds), aht=float(q.aht),
        target_seconds=float(q.target_seconds), cost_per_agent_hour=float(q.cost_per_agent_hour),
        wait_cost_per_minute=float(q.wait_cost_per_minute),
        patience=float(q.patience_seconds) if q.patience_seconds else None,
        abandon_cost=float(q.abandon_cost), span=q.span,
    )  # fmt: skip
    return {"best": asdict(curve.best), "points": [asdict(p) for p in curve.points]}


def plan_out(p: Plan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "queue": p.queue.name,
        "start_date": p.start_date,
        "days": p.days,
        "interval_minutes": p.interval_minutes,
        "created_at": p.created_at,
        "forecast": p.forecast,
        "requirement": p.requirement,
        "schedule": p.schedule,
        "coverage": p.coverage,
        "cost": float(p.cost),
    }


@router.post("/queues/{queue_id}/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, queue_id: int, body: PlanIn) -> Status[dict[str, Any]]:
    """Forecast the queue's volume, turn it into required agents and schedule contracted
    agents to cover it at least cost (supervisors and admins)."""
    user = staff_actor(request)
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("Planning is for supervisors and admins."))
    plan = plan_make(
        queue=queue_get(queue_id=queue_id), start_date=body.start_date, days=body.days,
        actor=user, interval_minutes=body.interval_minutes, tz=body.tz, holidays=body.holidays,
    )  # fmt: skip
    return Status(201, plan_out(plan))


@router.get("/plans/{plan_id}", response=PlanOut)
def plan_get(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    staff_actor(request)
    plan = Plan.objects.select_related("queue").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("plan", plan_id)
    return plan_out(plan)


@router.get("/tickets/intervals", response=TicketIntervalsOut)
def tickets_intervals(
    request: HttpRequest,
    date: dt.date,
    days: int = 1,
    interval_minutes: int = 30,
    tz: str = "UTC",
    channel: str | None = None,
) -> dict[str, Any]:
    """Tickets created per interval on a channel (email, portal, chat, …) with their mean
    time to first response: the volume of the channels that are not phone queues."""
    staff_actor(request)
    if channel is not None and channel not in Channel.values:
        raise ValidationFailed(
            StaffingErrorCode.INVALID_CHANNEL,
            _("Unknown channel %(channel)s.") % {"channel": repr(channel)},
            field="channel",
        )
    start, end = day_range(start=date, days=days, tz=tz)
    rows = ticket_intervals(
        channel=channel, start=start, end=end, interval_minutes=interval_minutes
    )
    return {
        "channel": channel,
        "interval_minutes": interval_minutes,
        "intervals": [asdict(r) for r in rows],
    }
