from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from caredesk.core.schemas import InputSchema


class UserRef(Schema):
    id: int
    email: str
    name: str
    role: str


class MeOut(UserRef):
    customer_id: int | None
    teams: list[str]


class TeamOut(Schema):
    id: int
    name: str
    member_ids: list[int]


class TokenIn(InputSchema):
    name: str = Field("", max_length=100)


class TokenCreatedOut(Schema):
    id: int
    name: str
    token: str = Field(description="Shown once; only its hash is stored.")
    created_at: dt.datetime


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
