"""The demo loads once, with something on every screen (here: feedback and reports)."""

from __future__ import annotations

import pytest

from caredesk.analytics.models import ScheduledReport
from caredesk.demo.data import demo_load
from caredesk.surveys.models import FollowUp, NpsCampaign, SurveyInvitation, SurveyResponse
from caredesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_with_surveys_follow_ups_and_a_report() -> None:
    logins = demo_load(password="pw-for-tests-123", customers=60, tickets=120)
    assert [role for role, _ in logins] == ["admin", "supervisor", "agent", "customer"]
    tickets = Ticket.objects.count()
    assert tickets == 120
    assert SurveyResponse.objects.filter(kind="nps").count() == 160
    assert SurveyInvitation.objects.filter(response__isnull=False).exists()
    assert SurveyInvitation.objects.filter(response__isnull=True).exists()
    assert FollowUp.objects.filter(status="done").count() <= 1
    assert NpsCampaign.objects.count() == 1
    assert ScheduledReport.objects.get().next_run_at is not None
    demo_load(password="pw-for-tests-123", customers=60, tickets=120)
    assert Ticket.objects.count() == tickets  # the second call changes nothing
