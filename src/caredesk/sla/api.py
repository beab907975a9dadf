"""Business-hours calendars, SLA policies, a ticket's clocks and compliance over JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.db.models.deletion import ProtectedError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from caredesk.accounts.enums import Role
from caredesk.accounts.gates import staff_actor
from caredesk.core.errors import Conflict, NotFound, PermissionDenied
from caredesk.core.periods import date_period
from caredesk.sla.errors import SlaErrorCode
from caredesk.sla.models import TARGETS, BusinessCalendar, SlaPolicy, TicketSla
from caredesk.sla.schemas import (
    CalendarIn,
    CalendarOut,
    CommitmentStatsOut,
    PolicyIn,
    PolicyOut,
    TicketSlaOut,
)
from caredesk.sla.services import calendar_save, policy_save
from caredesk.tickets.selectors import ticket_get_for_user
from caredesk.tickets.services.commitments import commitment_stats

router = Router(tags=["sla"])


def _admin(request: HttpRequest) -> Any:
    user = staff_actor(request)
    if user.role != Role.ADMIN:
        raise PermissionDenied(_("Calendars and policies are changed by admins."))
    return user


def calendar_out(c: BusinessCalendar) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "timezone": c.timezone, "hours": c.hours,
            "holidays": c.holidays}  # fmt: skip


def _calendar(calendar_id: int) -> BusinessCalendar:
    c = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if c is None:
        raise NotFound("calendar", calendar_id)
    return c


@router.get("/calendars", response=list[CalendarOut])
def calendars(request: HttpRequest) -> list[dict[str, Any]]:
    staff_actor(request)
    return [calendar_out(c) for c in BusinessCalendar.objects.order_by("name")]


@router.post("/calendars", response={201: CalendarOut})
def calendar_create(request: HttpRequest, body: CalendarIn) -> Status[dict[str, Any]]:
    _admin(request)
    c = calendar_save(
        calendar=None, name=body.name, timezone_name=body.timezone,
        hours=[h.model_dump() for h in body.hours],
        holidays=[d.isoformat() for d in body.holidays],
    )  # fmt: skip
    return Status(201, calendar_out(c))


@router.put("/calendars/{calendar_id}", response=CalendarOut)
def calendar_replace(request: HttpRequest, calendar_id: int, body: CalendarIn) -> dict[str, Any]:
    _admin(request)
    c = calendar_save(
        calendar=_calendar(calendar_id), name=body.name, timezone_name=body.timezone,
        hours=[h.model_dump() for h in body.hours],
        holidays=[d.isoformat() for d in body.holidays],
    )  # fmt: skip
    return calendar_out(c)


@router.delete("/calendars/{calendar_id}", response={204: None})
def calendar_delete(request: HttpRequest, calendar_id: int) -> Status[None]:
    _admin(request)
    try:
        _calendar(calendar_id).delete()
    except ProtectedError:
        raise Conflict(SlaErrorCode.CALENDAR_IN_USE, _("A policy uses this calendar.")) from None
    return Status(204, None)


def policy_out(p: SlaPolicy) -> dict[str, Any]:
    return {
        "id": p.pk, "name": p.name, "position": p.position, "active": p.active,
        "conditions": p.conditions, "calendar_id": p.calendar_id,
        "first_response_minutes": p.first_response_minutes,
        "next_response_minutes": p.next_response_minutes,
        "resolution_minutes": p.resolution_minutes,
        "pause_when_pending": p.pause_when_pending, "warn_at_percent": p.warn_at_percent,
    }  # fmt: skip


def _policy_data(body: PolicyIn) -> dict[str, Any]:
    data = body.model_dump()
    calendar_id = data.pop("calendar_id")
    data["calendar"] = _calendar(calendar_id) if calendar_id else None
    return data


def _policy(policy_id: int) -> SlaPolicy:
    p = SlaPolicy.objects.filter(pk=policy_id).first()
    if p is None:
        raise NotFound("policy", policy_id)
    return p


@router.get("/policies", response=list[PolicyOut])
def policies(request: HttpRequest) -> list[dict[str, Any]]:
    staff_actor(request)
    return [policy_out(p) for p in SlaPolicy.objects.order_by("position", "id")]


@router.post("/policies", response={201: PolicyOut})
def policy_create(request: HttpRequest, body: PolicyIn) -> Status[dict[str, Any]]:
    """A policy applies to new tickets and to tickets whose fields change; run
    `caredesk sla sweep` to put it on the open tickets at once."""
    _admin(request)
    return Status(201, policy_out(policy_save(policy=None, data=_policy_data(body))))


@router.put("/policies/{policy_id}", response=PolicyOut)
def policy_replace(request: HttpRequest, policy_id: int, body: PolicyIn) -> dict[str, Any]:
    _admin(request)
    return policy_out(policy_save(policy=_policy(policy_id), data=_policy_data(body)))


@router.delete("/policies/{policy_id}", response={204: None})
def policy_delete(request: HttpRequest, policy_id: int) -> Status[None]:
    _admin(request)
    _policy(policy_id).delete()
    return Status(204, None)


@router.get("/tickets/{ticket_id}", response=TicketSlaOut)
def ticket_sla(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    """The ticket's SLA clocks: due, warning, met and breached times per target."""
    user = staff_actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    sla = TicketSla.objects.select_related("policy").filter(ticket=ticket).first()
    if sla is None:
        raise NotFound("SLA of ticket", ticket_id)
    out: dict[str, Any] = {"policy": sla.policy.name, "paused_since": sla.paused_since}
    for t in TARGETS:
        out[t] = {k: getattr(sla, f"{t}_{k}") for k in ("due", "warn", "met", "breached")}
    return out


@router.get("/commitments", response=CommitmentStatsOut)
def commitments(
    request: HttpRequest, date_from: dt.date, date_to: dt.date, tz: str = "UTC"
) -> dict[str, Any]:
    """Promises to customers due between the dates (inclusive, in the time zone): kept,
    broken, still pending past their due time, and the share kept."""
    staff_actor(request)
    start, end = date_period(date_from=date_from, date_to=date_to, tz=tz)
    stats = commitment_stats(start=start, end=end)
    return {**asdict(stats), "kept_rate": stats.kept_rate}
