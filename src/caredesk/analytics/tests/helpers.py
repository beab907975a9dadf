"""Helpers of the analytics tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from caredesk.analytics.models import RollupState
from caredesk.analytics.rollups import MARGIN, changed_days, rollups_build
from caredesk.sla.models import TicketSla
from caredesk.surveys.models import SurveyInvitation, SurveyResponse
from caredesk.tickets.models import Ticket


def settle() -> None:
    """Make everything written so far an hour old, as if it had happened before the last
    run of the rollups job (which counts what was written shortly before it as maybe
    unseen, and so reads those days from the records)."""
    past = timezone.now() - dt.timedelta(hours=1)
    for model in (Ticket, SurveyResponse, SurveyInvitation, TicketSla):
        model.objects.update(updated_at=past)


def rolled_up(first: dt.date, last: dt.date, tz: str = "UTC") -> None:
    """Build the rollups of the days from first to last as the job would, and check that
    a report will read them (nothing changed since)."""
    settle()
    rollups_build([first + dt.timedelta(days=n) for n in range((last - first).days + 1)], tz=tz)
    RollupState.objects.all().delete()
    RollupState.objects.create(tz=tz, checked_at=timezone.now())
    assert not changed_days(timezone.now() - MARGIN, tz)
