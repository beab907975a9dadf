from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from caredesk.core.schemas import InputSchema


class HoursRule(InputSchema):
    days: list[str] = Field(..., min_length=1, max_length=7)
    start: str = Field(..., examples=["09:00"])
    end: str = Field(..., examples=["17:00"])


class CalendarIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    timezone: str = Field("UTC", max_length=64)
    hours: list[HoursRule] = Field(..., min_length=1, max_length=50)
    holidays: list[dt.date] = Field(default_factory=list, max_length=1000)


class CalendarOut(Schema):
    id: int
    name: str
    timezone: str
    hours: list[dict[str, Any]]
    holidays: list[str]


class PolicyIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    position: int = Field(0, ge=0, le=1_000_000)
    active: bool = True
    conditions: dict[str, list[Any]] = Field(default_factory=dict)
    calendar_id: int | None = Field(None, ge=1, le=2**63 - 1)
    first_response_minutes: int | None = Field(None, ge=1, le=10_000_000)
    next_response_minutes: int | None = Field(None, ge=1, le=10_000_000)
    resolution_minutes: int | None = Field(None, ge=1, le=10_000_000)
    pause_when_pending: bool = True
    warn_at_percent: int = Field(75, ge=1, le=99)


class PolicyOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    conditions: dict[str, Any]
    calendar_id: int | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    pause_when_pending: bool
    warn_at_percent: int


class ClockOut(Schema):
    due: dt.datetime | None
    warn: dt.datetime | None
    met: dt.datetime | None
    breached: dt.datetime | None


class TicketSlaOut(Schema):
    policy: str
    paused_since: dt.datetime | None
    first_response: ClockOut
    next_response: ClockOut
    resolution: ClockOut


class ComplianceOut(Schema):
    policy: str
    target: str
    due: int
    met: int
    breached: int
    percent: float | None


class CommitmentStatsOut(Schema):
    due: int
    kept: int
    broken: int
    overdue: int
    kept_rate: float | None
