"""A member of staff's notifications over JSON."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from caredesk.accounts.gates import staff_actor
from caredesk.core.schemas import InputSchema
from caredesk.notifications.models import Notification
from caredesk.notifications.selectors import notifications_for
from caredesk.notifications.services import notifications_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    ticket_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class ReadIn(InputSchema):
    ids: list[int] | None = Field(None, max_length=1000, description="None: all of them")


class ReadOut(Schema):
    marked: int


@router.get("", response=list[NotificationOut])
def notifications(
    request: HttpRequest, unread: bool = False, limit: int = 100
) -> list[Notification]:
    """Your notifications, newest first."""
    user = staff_actor(request)
    return list(notifications_for(user=user, unread_only=unread)[: max(1, min(limit, 500))])


@router.post("/read", response=ReadOut)
def mark_read(request: HttpRequest, body: ReadIn) -> dict[str, int]:
    user = staff_actor(request)
    return {"marked": notifications_mark_read(user=user, ids=body.ids)}
