from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from caredesk.core.schemas import InputSchema


class RuleIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    trigger: str = Field(..., examples=["ticket.created"])
    conditions: dict[str, Any] = Field(
        default_factory=dict,
        examples=[
            {"match": "all", "conditions": [{"field": "priority", "op": "is", "value": "urgent"}]}
        ],
    )
    actions: list[dict[str, Any]] = Field(
        ..., min_length=1, max_length=20, examples=[[{"type": "add_tags", "tags": ["vip"]}]]
    )
    position: int = Field(100, ge=0, le=1_000_000)
    active: bool = True


class RuleOut(Schema):
    id: int
    name: str
    description: str
    trigger: str
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    position: int
    active: bool


class RuleRunOut(Schema):
    id: int
    ticket_id: int
    event_key: str
    at: dt.datetime
    done: list[str]
    error: str


class WebhookIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=120)
    url: str = Field(..., min_length=1, max_length=500, examples=["https://example.com/hook"])
    events: list[str] = Field(..., max_length=20, examples=[["ticket.created"]])
    active: bool = True
    allow_private: bool = False


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    allow_private: bool
    secret_hint: str


class WebhookWithSecretOut(WebhookOut):
    secret: str


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    rule_id: int | None
    event: str
    ticket_id: int | None
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_status_code: int | None
    last_error: str
    delivered_at: dt.datetime | None
    created_at: dt.datetime
    payload: dict[str, Any]
