"""The bundle format: one JSON object per line, told apart by ``kind``.

Every line carries an ``external_id`` (survey responses may omit it) so that importing
the same bundle twice changes nothing. Times are ISO 8601 with a time zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from caredesk.core.schemas import strip_nul

Id = Annotated[str, Field(min_length=1, max_length=200)]


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _without_nul(cls, data: Any) -> Any:
        return strip_nul(data)


class NoteLine(_Line):
    at: AwareDatetime
    author: str | None = None
    text: str = Field(min_length=1)


class OrganizationLine(_Line):
    kind: Literal["organization"]
    external_id: Id
    name: str = Field(min_length=1, max_length=200)
    type: Literal["internal", "external"] = "external"
    domains: list[str] = Field(default_factory=list)
    shared_tickets: bool = False
    notes: str = ""
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    created_at: AwareDatetime | None = None


class CustomerLine(_Line):
    kind: Literal["customer"]
    external_id: Id
    name: str = Field("", max_length=200)
    email: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    socials: list[str] = Field(default_factory=list)
    organization: str | None = Field(None, description="The organisation's external_id.")
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    notes: list[NoteLine] = Field(default_factory=list)
    created_at: AwareDatetime | None = None


class PurchaseLine(_Line):
    kind: Literal["purchase"]
    external_id: Id
    customer: str | None = Field(None, description="The customer's external_id.")
    email: str | None = Field(None, description="Or the customer's email.")
    at: AwareDatetime
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("EUR", min_length=3, max_length=3)
    product: str = Field(min_length=1, max_length=200)


class MessageEvent(_Line):
    at: AwareDatetime
    type: Literal["message"]
    from_: Literal["customer", "agent"] = Field(alias="from")
    author: str | None = Field(None, description="Email of who wrote it.")
    text: str = ""
    html: str = ""
    public: bool = True


class StatusEvent(_Line):
    at: AwareDatetime
    type: Literal["status"]
    status: Literal["new", "open", "pending", "on_hold", "solved", "closed"]
    author: str | None = None


class CsatLine(_Line):
    score: int
    at: AwareDatetime


class TicketLine(_Line):
    kind: Literal["ticket"]
    external_id: Id
    subject: str = Field(min_length=1, max_length=250)
    created_at: AwareDatetime
    requester: str | None = Field(None, description="The requester's email.")
    requester_customer: str | None = Field(
        None, description="Or the requester's customer external_id (a customer without email)."
    )
    requester_name: str = ""
    channel: str = "email"
    type: str = "question"
    priority: str = "normal"
    status: str | None = None
    assignee: str | None = None
    team: str | None = None
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    cc: list[str] = Field(default_factory=list)
    events: list[Annotated[MessageEvent | StatusEvent, Field(discriminator="type")]] = Field(
        default_factory=list
    )
    csat: CsatLine | None = None


class SurveyResponseLine(_Line):
    kind: Literal["survey_response"]
    survey: Literal["nps", "csat", "ces"]
    email: str
    score: int
    at: AwareDatetime
    external_id: Id | None = None
    ticket: str | None = Field(None, description="The ticket's external_id.")
    comment: str = ""


AnyLine = Annotated[
    OrganizationLine | CustomerLine | PurchaseLine | TicketLine | SurveyResponseLine,
    Field(discriminator="kind"),
]
LINE = TypeAdapter(AnyLine)


def iso(value: dt.datetime) -> str:
    """The bundle's time format: ISO 8601 in UTC with microseconds only when present."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
