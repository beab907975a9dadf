"""Survey follow-ups (supervisors) and survey settings (admins) over JSON."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from caredesk.accounts.gates import admin_actor, supervisor_actor
from caredesk.core.api import found_or_404
from caredesk.core.schemas import InputSchema
from caredesk.surveys.models import FollowUp, SurveySettings
from caredesk.surveys.selectors import follow_ups_list
from caredesk.surveys.services import follow_up_close, survey_settings_get

router = Router(tags=["surveys"])


class FollowUpOut(Schema):
    id: int
    kind: str = Field(..., alias="response.kind")
    score: int = Field(..., alias="response.score")
    comment: str = Field(..., alias="response.comment")
    customer_id: int = Field(..., alias="response.customer_id")
    responded_at: dt.datetime = Field(..., alias="response.responded_at")
    ticket_id: int | None
    team_id: int | None
    due_at: dt.datetime
    status: str
    outcome: str
    done_by_id: int | None
    done_at: dt.datetime | None


class CloseIn(InputSchema):
    outcome: str = Field(..., min_length=1, max_length=5000)


class SettingsIO(InputSchema):
    on_solve: Literal["csat", "ces", ""] = "csat"
    throttle_days: int = Field(7, ge=0, le=3650)
    follow_up_hours: int = Field(8, ge=1, le=10000)


@router.get("/follow-ups", response=list[FollowUpOut])
def follow_ups(
    request: HttpRequest, status: Literal["open", "done"] = "open", limit: int = 200
) -> list[FollowUp]:
    """Low scores to follow up: open ones by due time, or done ones with their outcome."""
    supervisor_actor(request)
    return list(follow_ups_list(status=status)[: max(1, min(limit, 500))])


@router.post("/follow-ups/{follow_up_id}/close", response=FollowUpOut)
def follow_up_done(request: HttpRequest, follow_up_id: int, body: CloseIn) -> FollowUp:
    """Record what came of a follow-up (409 if it was closed already)."""
    user = supervisor_actor(request)
    row = found_or_404(FollowUp.objects.select_related("response"), follow_up_id, "follow-up")
    return follow_up_close(follow_up=row, actor=user, outcome=body.outcome)


@router.get("/settings", response=SettingsIO)
def settings_get(request: HttpRequest) -> SurveySettings:
    admin_actor(request)
    return survey_settings_get()


@router.put("/settings", response=SettingsIO)
def settings_put(request: HttpRequest, body: SettingsIO) -> SurveySettings:
    """When surveys go out: the survey on solve (csat, ces or none), the throttle per
    customer in days, and how many business hours a follow-up gets."""
    admin_actor(request)
    current = survey_settings_get()
    for key, value in body.model_dump().items():
        setattr(current, key, value)
    current.save()
    return current
