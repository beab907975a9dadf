"""Record survey responses."""

from __future__ import annotations

import datetime as dt

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
) -> SurveyResponse:
    """Store one response; the score must lie in the survey's range."""
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
    return SurveyResponse.objects.create(
        kind=kind,
        customer=customer,
        ticket=ticket,
        score=score,
        responded_at=responded_at,
        comment=comment,
        external_id=external_id or None,
    )
