"""Record survey responses."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.customers.models import Customer
from caredesk.surveys.models import SCORE_RANGES, SurveyKind, SurveyResponse
from caredesk.tickets.models import Ticket


def survey_response_record(
    *,
    kind: str,
    customer: Customer,
    score: object,
    responded_at: dt.datetime,
    ticket: Ticket | None = None,
    comment: str = "",
    external_id: str | None = None,
    live: bool = False,
) -> SurveyResponse:
    """Store one response; the score must lie in the survey's range. A ``live`` response
    (a customer answering now, not imported history) runs the survey.answered rules and
    webhooks of its ticket."""
    if kind not in SurveyKind.values:
        raise ValidationFailed("invalid_survey", "survey must be csat, nps or ces.", field="survey")
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValidationFailed("invalid_score", "score must be an integer.", field="score")
    low, high = SCORE_RANGES[SurveyKind(kind)]
    if not low <= score <= high:
        raise ValidationFailed(
            "invalid_score", f"A {kind} score lies between {low} and {high}.", field="score"
        )
    if external_id and SurveyResponse.objects.filter(external_id=external_id).exists():
        raise Conflict("external_id_taken", f"A response with external_id {external_id!r} exists.")
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            kind=kind,
            customer=customer,
            ticket=ticket,
            score=score,
            responded_at=responded_at,
            comment=comment,
            external_id=external_id or None,
        )
        if live and ticket is not None:
            from caredesk.automation.services.engine import Event, automation_fire

            automation_fire(
                event=Event(
                    "survey.answered",
                    ticket.pk,
                    key=f"survey:{response.pk}",
                    actor_role="customer",
                    detail={"survey_kind": kind, "score": score, "comment": comment[:2000]},
                    at=responded_at,
                ),
                ticket=ticket,
            )
    return response
