"""Read survey follow-ups and invitations for screens and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from caredesk.surveys.models import FollowUp, FollowUpStatus, SurveyInvitation


def follow_ups_list(*, status: str = FollowUpStatus.OPEN) -> QuerySet[FollowUp]:
    """Open follow-ups by due time (the most overdue first), or done ones, latest first."""
    rows = FollowUp.objects.filter(status=status).select_related(
        "response__customer", "ticket", "team", "done_by"
    )
    return (
        rows.order_by("due_at", "id")
        if status == FollowUpStatus.OPEN
        else rows.order_by("-done_at", "-id")
    )


def survey_open_for_ticket(*, ticket_id: int) -> SurveyInvitation | None:
    """The ticket's survey still waiting for an answer, if any (for the portal)."""
    return (
        SurveyInvitation.objects.filter(ticket_id=ticket_id, response__isnull=True)
        .order_by("-id")
        .first()
    )
