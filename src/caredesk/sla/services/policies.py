"""SLA settings: business calendars and policies (validated and saved through one
service each, for forms, the API and the demo), which policy applies to a ticket, and
business-time arithmetic in a policy's calendar."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from caredesk.core.business_hours import (
    Calendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
)
from caredesk.core.cache import cached
from caredesk.core.errors import ValidationFailed
from caredesk.customers.selectors import customer_segments
from caredesk.sla.errors import SlaErrorCode
from caredesk.sla.models import TARGETS, BusinessCalendar, SlaPolicy
from caredesk.tickets.models import Ticket

_calendars: dict[tuple[int, dt.datetime], Calendar] = {}


CONDITION_KEYS = {"priority", "type", "channel", "organization_ids", "segment_ids"}


def calendar_check(*, timezone_name: str, hours: Any, holidays: Any) -> Calendar:
    """Validate a calendar definition (ValidationFailed with the reason)."""
    try:
        return Calendar.from_dict({"timezone": timezone_name, "hours": hours, "holidays": holidays})
    except CalendarError as exc:
        raise ValidationFailed(SlaErrorCode.INVALID_CALENDAR, str(exc)) from None


def calendar_of(model: BusinessCalendar) -> Calendar:
    """The calendar of a business-hours row, parsed once per version."""
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


def business_add(policy: SlaPolicy, start: dt.datetime, minutes: float) -> dt.datetime:
    if policy.calendar is None:
        return start + dt.timedelta(minutes=minutes)
    return add_business_minutes(calendar_of(policy.calendar), start, minutes)


def business_between(policy: SlaPolicy, a: dt.datetime, b: dt.datetime) -> float:
    if policy.calendar is None:
        return (b - a).total_seconds() / 60
    return business_minutes_between(calendar_of(policy.calendar), a, b)


def conditions_check(conditions: Any) -> dict[str, list[Any]]:
    if not isinstance(conditions, dict):
        raise ValidationFailed(SlaErrorCode.INVALID_CONDITIONS, _("conditions must be an object."))
    unknown = set(conditions) - CONDITION_KEYS
    if unknown:
        raise ValidationFailed(
            SlaErrorCode.INVALID_CONDITIONS,
            _("Unknown condition %(sorted_unknown_0)s.")
            % {"sorted_unknown_0": repr(sorted(unknown)[0])},
            field="conditions",
        )
    for key, values in conditions.items():
        if not isinstance(values, list):
            raise ValidationFailed(
                SlaErrorCode.INVALID_CONDITIONS, _("%(key)s must be a list.") % {"key": key}
            )
    return conditions


def policy_matches(policy: SlaPolicy, ticket: Ticket) -> bool:
    facts = {"priority": ticket.priority, "type": ticket.type, "channel": ticket.channel}
    wanted = (policy.conditions or {}).get("segment_ids") or []
    members = {}
    if wanted:
        found = customer_segments(customer=ticket.requester, among=wanted)
        members = {s.pk: {ticket.requester_id} for s in found}
    return facts_match(policy, facts, ticket.organization_id, ticket.requester_id, members)


POLICIES_CACHE_KEY = "caredesk:sla:active-policies"


def active_policies() -> list[SlaPolicy]:
    """The active policies by position, with their calendars; cached, and dropped when a
    policy or calendar changes (see SlaConfig.ready)."""
    return cached(
        POLICIES_CACHE_KEY,
        lambda: list(SlaPolicy.objects.filter(active=True).select_related("calendar")),
    )


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy (by position) whose conditions the ticket meets."""
    for policy in active_policies():
        if policy_matches(policy, ticket):
            return policy
    return None


def warn_at(policy: SlaPolicy, start: dt.datetime, minutes: int) -> dt.datetime:
    return business_add(policy, start, minutes * policy.warn_at_percent / 100)


def calendar_save_check(
    *, calendar: BusinessCalendar | None, name: str, timezone_name: str, hours: Any,
    holidays: Any,
) -> str:  # fmt: skip
    """Check a calendar before it is saved (its definition, and a name not taken); the
    name as it will be stored."""
    calendar_check(timezone_name=timezone_name, hours=hours, holidays=holidays or [])
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(
            SlaErrorCode.INVALID_NAME, _("A calendar needs a name."), field="name"
        )
    clash = BusinessCalendar.objects.filter(name__iexact=name)
    if calendar is not None:
        clash = clash.exclude(pk=calendar.pk)
    if clash.exists():
        raise ValidationFailed(
            SlaErrorCode.NAME_TAKEN,
            _("A calendar named %(name)s exists.") % {"name": repr(name)},
            field="name",
        )
    return name


def calendar_save(
    *, calendar: BusinessCalendar | None, name: str, timezone_name: str, hours: Any,
    holidays: Any,
) -> BusinessCalendar:  # fmt: skip
    """Create or change a calendar after checking its definition."""
    name = calendar_save_check(
        calendar=calendar, name=name, timezone_name=timezone_name, hours=hours, holidays=holidays
    )
    calendar = calendar or BusinessCalendar()
    calendar.name, calendar.timezone = name, timezone_name
    calendar.hours, calendar.holidays = hours, list(holidays or [])
    calendar.save()
    return calendar


POLICY_FIELDS = ("name", "position", "active", "conditions", "calendar", "first_response_minutes",
                 "next_response_minutes", "resolution_minutes", "pause_when_pending",
                 "warn_at_percent")  # fmt: skip


def policy_check(*, policy: SlaPolicy | None, data: dict[str, Any]) -> dict[str, Any]:
    """Check a policy as it would be with ``data`` applied (given fields only when
    changing); the fields to write, the conditions and the name normalised."""
    candidate = copy.copy(policy) if policy is not None else SlaPolicy()
    checked = {key: value for key, value in data.items() if key in POLICY_FIELDS}
    if "conditions" in checked:
        checked["conditions"] = conditions_check(checked["conditions"])
    for key, value in checked.items():
        setattr(candidate, key, value)
    checked["name"] = candidate.name = (candidate.name or "").strip()
    if not candidate.name:
        raise ValidationFailed(SlaErrorCode.INVALID_NAME, _("A policy needs a name."), field="name")
    if not 1 <= candidate.warn_at_percent <= 99:
        raise ValidationFailed(
            SlaErrorCode.INVALID_WARNING,
            _("warn_at_percent must be 1 to 99."),
            field="warn_at_percent",
        )
    if all(
        getattr(candidate, f"{t}_minutes") is None for t in TARGETS
    ):  # a policy without a target would only hide the next one
        raise ValidationFailed(SlaErrorCode.NO_TARGET, _("Give at least one target in minutes."))
    clash = SlaPolicy.objects.filter(name__iexact=candidate.name)
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise ValidationFailed(
            SlaErrorCode.NAME_TAKEN,
            _("A policy named %(name)s exists.") % {"name": repr(candidate.name)},
            field="name",
        )
    return checked


def policy_save(*, policy: SlaPolicy | None, data: dict[str, Any]) -> SlaPolicy:
    """Create or change a policy (given fields only when changing). Tickets keep their
    clocks until `caredesk sla sweep` or their next change recomputes them."""
    checked = policy_check(policy=policy, data=data)
    policy = policy or SlaPolicy()
    for key, value in checked.items():
        setattr(policy, key, value)
    policy.save()
    return policy


def facts_match(
    policy: SlaPolicy,
    facts: dict[str, str],
    organization_id: int | None,
    requester_id: int,
    members: dict[int, set[int]],
) -> bool:
    c = policy.conditions or {}
    for field in ("priority", "type", "channel"):
        if c.get(field) and facts[field] not in c[field]:
            return False
    if c.get("organization_ids") and organization_id not in c["organization_ids"]:
        return False
    if c.get("segment_ids"):
        return any(requester_id in members.get(sid, set()) for sid in c["segment_ids"])
    return True
