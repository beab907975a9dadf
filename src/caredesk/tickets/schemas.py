from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from caredesk.accounts.schemas import UserRef
from caredesk.core.schemas import InputSchema

StatusName = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
PriorityName = Literal["low", "normal", "high", "urgent"]
TypeName = Literal["question", "incident", "request", "complaint", "feedback"]
ChannelName = Literal["email", "portal", "web", "chat", "phone", "social", "webhook", "api"]


class PartyRef(Schema):
    id: int
    name: str
    email: str | None = None


class TicketOut(Schema):
    id: int
    subject: str
    status: str
    priority: str
    type: str
    channel: str
    requester: PartyRef
    organization: PartyRef | None
    assignee: UserRef | None
    team: PartyRef | None
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    external_id: str | None
    merged_into_id: int | None
    first_response_at: dt.datetime | None
    solved_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TicketDetailOut(TicketOut):
    ccs: list[PartyRef]


class AttachmentIn(InputSchema):
    filename: str = Field(..., min_length=1, max_length=255)
    content_type: str = Field("application/octet-stream", max_length=255)
    data_base64: str = Field(..., description="The file's bytes, base64-encoded.")


class TicketIn(InputSchema):
    subject: str = Field(..., min_length=1, max_length=250)
    text: str = Field("", max_length=1_000_000)
    html: str = Field("", max_length=2_000_000)
    requester_id: int | None = None
    requester_email: str | None = Field(None, max_length=254)
    requester_name: str = Field("", max_length=200)
    channel: ChannelName = "api"
    type: TypeName = "question"
    priority: PriorityName = "normal"
    assignee_id: int | None = None
    team_id: int | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    cc: list[str] = Field(default_factory=list, max_length=50)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    external_id: str | None = Field(None, max_length=200)


class TicketPatch(InputSchema):
    subject: str | None = Field(None, min_length=1, max_length=250)
    status: StatusName | None = None
    priority: PriorityName | None = None
    type: TypeName | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    tags: list[str] | None = Field(None, max_length=50)
    custom_fields: dict[str, Any] | None = None
    version: int | None = Field(
        None,
        description="The version you loaded; a stale one is "
        "refused with 409 so two agents never overwrite each other.",
    )


class AuthorOut(Schema):
    email: str | None
    name: str
    role: str


class AttachmentOut(Schema):
    id: int
    filename: str
    size: int
    content_type: str
    sha256: str
    download_url: str


class MessageOut(Schema):
    id: int
    ticket_id: int
    public: bool
    author: AuthorOut
    channel: str
    text: str
    html: str
    attachments: list[AttachmentOut]
    created_at: dt.datetime


class MessageIn(InputSchema):
    text: str = Field("", max_length=1_000_000)
    html: str = Field("", max_length=2_000_000)
    public: bool = Field(True, description="false for an internal note (agents only)")
    status: StatusName | None = Field(None, description="Agents: the status after replying.")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    version: int | None = None


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor: str | None
    kind: str
    field: str
    old_value: str
    new_value: str
    via: str = Field("", description="The automation rule or routing that made the change")


class CommitmentIn(InputSchema):
    description: str = Field(..., min_length=1, max_length=500)
    due_at: dt.datetime


class CommitmentOut(Schema):
    id: int
    ticket_id: int
    description: str
    due_at: dt.datetime
    status: str
    made_by: str | None
    resolved_at: dt.datetime | None
    overdue: bool


class ResolveIn(InputSchema):
    status: Literal["kept", "broken"]


class MergeIn(InputSchema):
    into_id: int


class TicketWithConversationOut(TicketDetailOut):
    messages: list[MessageOut] | None = Field(
        None, description="The conversation, oldest first, when asked with include=messages."
    )


class CannedReplyIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=20_000)
    team_id: int | None = Field(None, ge=1, le=2**63 - 1)


class CannedReplyOut(Schema):
    id: int
    title: str
    body: str
    team_id: int | None
