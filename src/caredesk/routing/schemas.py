from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from caredesk.core.schemas import InputSchema


class SkillIn(InputSchema):
    kind: str = Field("other", examples=["language"])
    name: str = Field(..., min_length=1, max_length=80, examples=["German"])


class SkillOut(Schema):
    id: int
    kind: str
    name: str


class AgentRoutingOut(Schema):
    user_id: int
    name: str
    availability: str
    availability_changed_at: dt.datetime
    capacity: int
    open_tickets: int
    skill_ids: list[int]
    team_ids: list[int]


class AgentRoutingIn(InputSchema):
    capacity: int | None = Field(None, ge=0, le=1000)
    skill_ids: list[int] | None = Field(None, max_length=200)
    availability: str | None = Field(None, examples=["online"])


class AvailabilityIn(InputSchema):
    availability: str = Field(..., examples=["online"])


class TeamRoutingOut(Schema):
    team_id: int
    name: str
    strategy: str
    rebalance_on_offline: bool
    queued: int


class TeamRoutingIn(InputSchema):
    strategy: str | None = Field(None, examples=["round_robin"])
    rebalance_on_offline: bool | None = None


class TicketSkillsIn(InputSchema):
    skill_ids: list[int] = Field(..., min_length=1, max_length=50)
