from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from caredesk.core.schemas import InputSchema


class QueueIn(InputSchema):
    volume: Decimal = Field(..., description="Contacts per interval.")
    interval_seconds: Decimal
    aht: Decimal = Field(..., description="Average handling time, seconds.")
    target_seconds: Decimal = Field(Decimal(20), description="Service-level target time.")


class ErlangCIn(QueueIn):
    agents: Decimal


class ErlangAIn(ErlangCIn):
    patience_seconds: Decimal


class ErlangBIn(InputSchema):
    traffic: Decimal = Field(..., description="Offered traffic in Erlangs.")
    servers: Decimal | None = None
    max_blocking: Decimal | None = None


class RequiredIn(QueueIn):
    target_level: Decimal | None = Field(None, description="Service level (default 0.8).")
    target_asa: Decimal | None = None
    patience_seconds: Decimal | None = Field(None, description="Given: Erlang A.")
    max_abandon: Decimal | None = None
    max_occupancy: Decimal | None = None
    shrinkage: Decimal | None = None
    concurrency: Decimal | None = Field(None, description="Chats one agent handles at once.")


class ErlangCOut(Schema):
    traffic_erlangs: float
    stable: bool
    wait_probability: float
    service_level: float
    asa_seconds: float | None
    occupancy: float | None


class ErlangAOut(ErlangCOut):
    abandon_probability: float


class ErlangBOut(Schema):
    servers: int | None = None
    blocking_probability: float


class RequiredOut(Schema):
    agents: int
    scheduled_staff: int
    concurrency: int = Field(1, description="Contacts one agent handles at once.")
    servers: int = Field(
        ..., description="Contacts handled at once: the agents times the concurrency."
    )
    traffic_erlangs: float
    wait_probability: float
    service_level: float
    asa_seconds: float | None
    occupancy: float | None
    abandon_probability: float | None = None


class CallEventIn(InputSchema):
    event: str = Field(..., description="queued, answered, abandoned or ended")
    call_id: str = Field(..., min_length=1, max_length=200)
    queue: str = Field(..., min_length=1, max_length=100)
    at: dt.datetime = Field(..., description="When it happened, with a time zone.")
    phone: str = Field("", max_length=40, description="The caller's number, if known.")
    agent_email: str = Field("", max_length=254)
    ticket_id: int | None = Field(None, ge=1, le=2**63 - 1)


class CallOut(Schema):
    call_id: str
    queue: str
    customer_id: int | None
    ticket_id: int | None
    agent_id: int | None
    queued_at: dt.datetime | None
    answered_at: dt.datetime | None
    abandoned_at: dt.datetime | None
    ended_at: dt.datetime | None
    wait_seconds: float | None
    talk_seconds: float | None


class CallEventOut(Schema):
    created: bool = Field(..., description="False when this event had been received before.")
    call: CallOut


class QueueOut(Schema):
    id: int
    name: str
    channel: str
    target_level: float
    target_seconds: int
    patience_seconds: int | None
    concurrency: int


class IntervalOut(Schema):
    start: dt.datetime
    offered: int
    answered: int
    abandoned: int
    aht_seconds: float | None
    asa_seconds: float | None
    service_level: float | None
    abandon_rate: float | None


class IntervalsOut(Schema):
    queue: str
    interval_minutes: int
    intervals: list[IntervalOut]
    total: IntervalOut | None


class CostCurveIn(QueueIn):
    cost_per_agent_hour: Decimal = Field(..., ge=0)
    wait_cost_per_minute: Decimal = Field(..., ge=0)
    patience_seconds: Decimal | None = None
    abandon_cost: Decimal = Field(Decimal(0), ge=0)
    span: int = Field(30, ge=1, le=200)


class CostPointOut(Schema):
    agents: int
    staff_cost: float
    waiting_cost: float
    total: float
    service_level: float
    asa_seconds: float | None


class CostCurveOut(Schema):
    best: CostPointOut
    points: list[CostPointOut]


class PlanIn(InputSchema):
    start_date: dt.date
    days: int = Field(7, ge=1, le=14)
    interval_minutes: int = Field(30, description="15, 30 or 60")
    tz: str = Field("UTC", max_length=64)
    holidays: list[dt.date] = Field(default_factory=list, max_length=100)


class PlanOut(Schema):
    id: int
    queue: str
    start_date: dt.date
    days: int
    interval_minutes: int
    created_at: dt.datetime
    forecast: dict[str, object]
    requirement: list[list[int]]
    schedule: list[dict[str, object]]
    coverage: dict[str, object]
    cost: float


class TicketIntervalOut(Schema):
    start: dt.datetime
    created: int
    first_response_minutes: float | None


class TicketIntervalsOut(Schema):
    channel: str | None
    interval_minutes: int
    intervals: list[TicketIntervalOut]
