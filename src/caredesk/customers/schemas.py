from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from caredesk.core.schemas import InputSchema


class ContactOut(Schema):
    kind: str
    value: str
    is_primary: bool
    undeliverable: bool


class OrgRef(Schema):
    id: int
    name: str


class CustomerOut(Schema):
    id: int
    name: str
    language: str
    email: str | None
    contacts: list[ContactOut]
    organization: OrgRef | None
    lifecycle: str
    lifecycle_reason: str
    lifetime_value: Decimal
    purchase_count: int
    last_purchase_at: dt.datetime | None
    custom_fields: dict[str, Any]
    org_admin: bool
    external_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerIn(InputSchema):
    name: str = Field("", max_length=200)
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)
    socials: list[str] = Field(default_factory=list, max_length=20)
    organization_id: int | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    external_id: str | None = Field(None, max_length=200)
    language: str = Field(
        "", max_length=10, description="en or de; empty for the site's language.", examples=["de"]
    )


class CustomerPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=10, examples=["de"])
    emails: list[str] | None = Field(None, max_length=20)
    phones: list[str] | None = Field(None, max_length=20)
    socials: list[str] | None = Field(None, max_length=20)
    organization_id: int | None = None
    custom_fields: dict[str, Any] | None = None
    org_admin: bool | None = Field(
        None, description="Sees all of the organisation's requests in the portal."
    )


class NoteIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=20000)


class NoteOut(Schema):
    id: int
    text: str
    author_email: str | None
    created_at: dt.datetime


class TimelineItemOut(Schema):
    at: dt.datetime
    kind: str
    id: int
    summary: str
    ticket_id: int | None
    channel: str | None
    data: dict[str, Any]


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    domains: list[str]
    shared_tickets: bool
    custom_fields: dict[str, Any]
    notes: str
    external_id: str | None
    created_at: dt.datetime


class OrganizationIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["internal", "external"] = "external"
    domains: list[str] = Field(default_factory=list, max_length=50)
    shared_tickets: bool = False
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    notes: str = Field("", max_length=20000)
    external_id: str | None = Field(None, max_length=200)


class OrganizationPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Literal["internal", "external"] | None = None
    domains: list[str] | None = Field(None, max_length=50)
    shared_tickets: bool | None = None
    custom_fields: dict[str, Any] | None = None
    notes: str | None = Field(None, max_length=20000)


class PurchaseOut(Schema):
    id: int
    customer_id: int
    purchased_at: dt.datetime
    amount: Decimal
    currency: str
    product: str
    external_id: str | None


class PurchaseIn(InputSchema):
    customer_id: int
    purchased_at: dt.datetime
    amount: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("EUR", min_length=3, max_length=3)
    product: str = Field(..., min_length=1, max_length=200)
    external_id: str | None = Field(None, max_length=200)


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    rules: dict[str, Any]


class SegmentIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    rules: dict[str, Any]
