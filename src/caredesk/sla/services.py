"""Put SLA clocks on tickets, move them with what happens, and record warnings and
breaches once. Called explicitly by the ticket services (no signals)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from caredesk.core.errors import ValidationFailed
from caredesk.sla.business_hours import (
    Calendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
)
from caredesk.sla.models import TARGETS, BusinessCalendar, SlaPolicy, TicketSla
from caredesk.tickets.enums import AuthorRole, TicketStatus
from caredesk.tickets.models import Message, Ticket

_calendars: dict[tuple[int, dt.datetime], Calendar] = {}
CONDITION_KEYS = {"priority", "type", "channel", "organization_ids", "segment_ids"}


def calendar_check(*, timezone_name: str, hours: Any, holidays: Any) -> Calendar:
    """Validate a calendar definition (ValidationFailed with the reason)."""
    try:
        return Calendar.from_dict({"timezone": timezone_name, "hours": hours, "holidays": holidays})
    except CalendarError as exc:
        raise ValidationFailed("invalid_calendar", str(exc)) from None


def _calendar(model: BusinessCalendar) -> Calendar:
    key = (model.pk, model.updated_at)
    cal = _calendars.get(key)
    if cal is None:
        cal = calendar_check(
            timezone_name=model.timezone, hours=model.hours, holidays=model.holidays
        )
        if len(_calendars) > 100:
            _calendars.clear()
        _calendars[key] = cal
    return cal


def _add(policy: SlaPolicy, start: dt.datetime, minutes: float) -> dt.datetime:
    if policy.calendar is None:
        return start + dt.timedelta(minutes=minutes)
    return add_business_minutes(_calendar(policy.calendar), start, minutes)


def _between(policy: SlaPolicy, a: dt.datetime, b: dt.datetime) -> float:
    if policy.calendar is None:
        return (b - a).total_seconds() / 60
    return business_minutes_between(_calendar(policy.calendar), a, b)


def conditions_check(conditions: Any) -> dict[str, list[Any]]:
    if not isinstance(conditions, dict):
        raise ValidationFailed("invalid_conditions", "conditions must be an object.")
    unknown = set(conditions) - CONDITION_KEYS
    if unknown:
        raise ValidationFailed(
            "invalid_conditions", f"Unknown condition {sorted(unknown)[0]!r}.", field="conditions"
        )
    for key, values in conditions.items():
        if not isinstance(values, list):
            raise ValidationFailed("invalid_conditions", f"{key} must be a list.")
    return conditions


def _matches(policy: SlaPolicy, ticket: Ticket) -> bool:
    c = policy.conditions or {}
    for field in ("priority", "type", "channel"):
        if c.get(field) and getattr(ticket, field) not in c[field]:
            return False
    if c.get("organization_ids") and ticket.organization_id not in c["organization_ids"]:
        return False
    if c.get("segment_ids"):
        from caredesk.customers.models import Customer, Segment
        from caredesk.customers.segments import rules_parse, rules_q
        from caredesk.customers.services import crm_settings_get

        window = crm_settings_get().recency_window_days
        now = timezone.now()
        segments = Segment.objects.filter(pk__in=c["segment_ids"])
        if not any(
            Customer.objects.filter(
                rules_q(rules_parse(s.rules), now=now, window_days=window), pk=ticket.requester_id
            ).exists()
            for s in segments
        ):
            return False
    return True


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy (by position) whose conditions the ticket meets."""
    for policy in SlaPolicy.objects.filter(active=True).select_related("calendar"):
        if _matches(policy, ticket):
            return policy
    return None


def _warn(policy: SlaPolicy, start: dt.datetime, minutes: int) -> dt.datetime:
    return _add(policy, start, minutes * policy.warn_at_percent / 100)


def _awaiting_reply_since(ticket: Ticket) -> dt.datetime | None:
    """When the customer's unanswered public message came, if the last public message of
    the conversation is theirs."""
    last = (
        Message.objects.filter(ticket=ticket, is_public=True)
        .order_by("-created_at", "-id")
        .values_list("author_role", "created_at")
        .first()
    )
    if last is None or last[0] != AuthorRole.CUSTOMER:
        return None
    return last[1]


def sla_apply(*, ticket: Ticket, created: bool = False) -> TicketSla | None:
    """(Re)compute the ticket's clocks from its policy: at creation (``created``: nothing
    to look up), and whenever a field a policy looks at changes (a new priority
    recomputes the due times). Times already met or breached stay as they happened."""
    policy = policy_for(ticket)
    sla = None if created else TicketSla.objects.filter(ticket=ticket).first()
    if policy is None:
        if sla is not None:
            sla.delete()
        return None
    if sla is None:
        sla = TicketSla(ticket=ticket, policy=policy)
    sla.policy = policy
    start = ticket.created_at
    fr = policy.first_response_minutes
    sla.first_response_due = _add(policy, start, fr) if fr is not None else None
    sla.first_response_warn = _warn(policy, start, fr) if fr is not None else None
    if ticket.first_response_at and not sla.first_response_met:
        sla.first_response_met = ticket.first_response_at
    res = policy.resolution_minutes
    if res is not None:
        total = res + sla.paused_minutes
        sla.resolution_due = _add(policy, start, total)
        sla.resolution_warn = _add(
            policy, start, sla.paused_minutes + res * policy.warn_at_percent / 100
        )
    else:
        sla.resolution_due = sla.resolution_warn = None
    _next_response(sla, policy, ticket)
    sla.save()
    return sla


def _resolution_clock(sla: TicketSla, policy: SlaPolicy, start: dt.datetime) -> None:
    """Resolution due (and warning) time: the target plus the time spent paused."""
    res = policy.resolution_minutes
    if res is None:
        sla.resolution_due = sla.resolution_warn = None
        return
    sla.resolution_due = _add(policy, start, res + sla.paused_minutes)
    warn_after = sla.paused_minutes + res * policy.warn_at_percent / 100
    sla.resolution_warn = _add(policy, start, warn_after)


def _next_response(sla: TicketSla, policy: SlaPolicy, ticket: Ticket) -> None:
    nr = policy.next_response_minutes
    since = _awaiting_reply_since(ticket) if ticket.first_response_at else None
    if nr is None or since is None:
        sla.next_response_due = sla.next_response_warn = None
        return
    sla.next_response_due = _add(policy, since, nr)
    sla.next_response_warn = _warn(policy, since, nr)


def sla_on_message(*, ticket: Ticket, message: Message) -> None:
    """An agent's public reply meets the first (and the pending next) response; a
    customer's public message starts the next-response clock."""
    sla = TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()
    if sla is None or not message.is_public:
        return
    if message.author_role == AuthorRole.AGENT:
        if sla.first_response_met is None:
            sla.first_response_met = message.created_at
        if sla.next_response_due is not None and sla.next_response_met is None:
            sla.next_response_met = message.created_at
    elif message.author_role == AuthorRole.CUSTOMER and sla.first_response_met is not None:
        nr = sla.policy.next_response_minutes
        if nr is not None:
            sla.next_response_due = _add(sla.policy, message.created_at, nr)
            sla.next_response_warn = _warn(sla.policy, message.created_at, nr)
            sla.next_response_met = sla.next_response_breached = None
            sla.next_response_warned = None
    sla.save()


def sla_on_status(*, ticket: Ticket, old: str, new: str, at: dt.datetime) -> None:
    """Pending stops the resolution clock (when the policy says so) and leaving it moves
    the due time by the business time spent waiting; solving meets it; reopening a
    solved ticket runs it again."""
    sla = TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()
    if sla is None or old == new:
        return
    policy = sla.policy
    if new == TicketStatus.PENDING and policy.pause_when_pending and sla.paused_since is None:
        sla.paused_since = at
    elif old == TicketStatus.PENDING and sla.paused_since is not None:
        sla.paused_minutes += max(0.0, _between(policy, sla.paused_since, at))
        sla.paused_since = None
        _resolution_clock(sla, policy, ticket.created_at)
    if new in (TicketStatus.SOLVED, TicketStatus.CLOSED) and sla.resolution_met is None:
        sla.resolution_met = at
    if old in (TicketStatus.SOLVED, TicketStatus.CLOSED) and new not in (
        TicketStatus.SOLVED, TicketStatus.CLOSED,
    ):  # fmt: skip
        sla.resolution_met = None
    sla.save()


@dataclass(frozen=True)
class SlaEvent:
    ticket_id: int
    target: str
    kind: str  # "warning" or "breach"
    at: dt.datetime


def sla_check(*, now: dt.datetime | None = None) -> list[SlaEvent]:
    """Record every breach once, at the moment it happened (the due time), and every
    warning once; return them for notifications and automation. Only the rows whose
    time has come are read (partial indexes on the due times)."""
    now = now or timezone.now()
    events: list[SlaEvent] = []
    for target in TARGETS:
        due, met, breached = f"{target}_due", f"{target}_met", f"{target}_breached"
        open_ = Q(**{f"{met}__isnull": True, f"{breached}__isnull": True})
        if target == "resolution":
            open_ &= Q(paused_since__isnull=True)
        late = TicketSla.objects.filter(open_, **{f"{due}__lte": now})
        for sla_id, ticket_id, when in late.values_list("pk", "ticket_id", due):
            updated = TicketSla.objects.filter(open_, pk=sla_id, **{f"{due}__lte": now}).update(
                **{breached: when}
            )
            if updated:
                events.append(SlaEvent(ticket_id, target, "breach", when))
        warn, warned = f"{target}_warn", f"{target}_warned"
        soon = TicketSla.objects.filter(open_, **{f"{warn}__lte": now, f"{warned}__isnull": True})
        for sla_id, ticket_id, when in soon.values_list("pk", "ticket_id", warn):
            updated = TicketSla.objects.filter(pk=sla_id, **{f"{warned}__isnull": True}).update(
                **{warned: now}
            )
            if updated:
                events.append(SlaEvent(ticket_id, target, "warning", when))
    return events
