"""The closed loop on screens and the API, NPS campaigns, the portal's survey, and
response rates in the KPI report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.analytics.figures import kpis_for
from caredesk.analytics.selectors import kpi_period
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.customers.services import customer_create, purchase_create, segment_create
from caredesk.surveys.models import FollowUp, NpsCampaign, SurveyInvitation
from caredesk.surveys.services import campaigns_run, survey_answer, survey_invite
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db


def low_score(score: int = 1, kind: str = "csat") -> FollowUp:
    ticket = ticket_make(team=TeamFactory(name="Billing"))
    invitation = survey_invite(kind=kind, customer=ticket.requester, ticket=ticket)
    assert invitation is not None
    survey_answer(invitation=invitation, score=score, comment="Nobody called back.")
    return FollowUp.objects.get(ticket=ticket)


def test_only_low_scores_open_follow_ups() -> None:
    for kind, score, opens in (("csat", 2, True), ("csat", 3, False), ("nps", 6, True),
                               ("nps", 7, False), ("ces", 1, False)):  # fmt: skip
        ticket = ticket_make()
        invitation = survey_invite(kind=kind, customer=ticket.requester, ticket=ticket)
        assert invitation is not None
        survey_answer(invitation=invitation, score=score)
        assert FollowUp.objects.filter(ticket=ticket).exists() is opens, (kind, score)


def test_a_supervisor_records_what_came_of_a_follow_up_on_the_screen() -> None:
    follow_up = low_score()
    assert signed_in(UserFactory()).get("/manage/follow-ups/").status_code == 403
    boss = signed_in(UserFactory(role=Role.SUPERVISOR))
    page = boss.get("/manage/follow-ups/").content.decode()
    assert "Nobody called back." in page
    assert f"/tickets/{follow_up.ticket_id}/" in page
    empty = boss.post(f"/manage/follow-ups/{follow_up.pk}/done", {"outcome": " "}, follow=True)
    assert b"Say what came of the follow-up." in empty.content
    boss.post(f"/manage/follow-ups/{follow_up.pk}/done", {"outcome": "Called; refunded 20 EUR."})
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.outcome) == ("done", "Called; refunded 20 EUR.")
    assert (
        "Called; refunded 20 EUR." in boss.get("/manage/follow-ups/?status=done").content.decode()
    )


def test_follow_ups_and_settings_over_the_api(api_as: Any) -> None:
    follow_up = low_score(score=0, kind="nps")
    boss = api_as(UserFactory(role=Role.SUPERVISOR))
    [row] = boss.get("surveys/follow-ups").json()
    assert (row["id"], row["kind"], row["score"], row["status"]) == (follow_up.pk, "nps", 0, "open")
    assert boss.post(f"surveys/follow-ups/{follow_up.pk}/close", {"outcome": ""}).status_code == 422
    closed = boss.post(f"surveys/follow-ups/{follow_up.pk}/close", {"outcome": "Apologised."})
    assert closed.json()["status"] == "done"
    again = boss.post(f"surveys/follow-ups/{follow_up.pk}/close", {"outcome": "Twice"})
    assert (again.status_code, again.json()["code"]) == (409, "follow_up_done")
    assert boss.get("surveys/settings").status_code == 403
    admin = api_as(UserFactory(role=Role.ADMIN))
    assert admin.get("surveys/settings").json() == {"on_solve": "csat", "throttle_days": 7,
                                                    "follow_up_hours": 8}  # fmt: skip
    changed = admin.put("surveys/settings", {"on_solve": "ces", "throttle_days": 30,
                                             "follow_up_hours": 4})  # fmt: skip
    assert changed.json()["on_solve"] == "ces"
    assert admin.put("surveys/settings", {"on_solve": "nps"}).status_code == 422


def test_an_nps_campaign_reaches_its_segment_once_per_run() -> None:
    buyer = customer_create(name="Buyer", emails=["buyer@example.org"])
    purchase_create(customer=buyer, purchased_at=timezone.now(), amount="10", product="P")
    customer_create(name="Browser", emails=["browser@example.org"])
    segment = segment_create(name="Existing", rules={"lifecycle": ["existing"]})
    campaign = NpsCampaign.objects.create(
        name="Quarterly", segment=segment, every_days=90, next_run_at=timezone.now()
    )
    assert campaigns_run() == 1
    invitation = SurveyInvitation.objects.get()
    assert (invitation.kind, invitation.customer, invitation.campaign) == ("nps", buyer, campaign)
    assert campaigns_run() == 0  # next run in 90 days
    campaign.refresh_from_db()
    assert campaign.next_run_at > timezone.now() + dt.timedelta(days=89)


def test_the_portal_offers_the_requester_their_survey() -> None:
    user = customer_user(email="pat@example.org")
    ticket = ticket_make(requester=user.customer)
    invitation = survey_invite(kind="csat", customer=user.customer, ticket=ticket)
    assert invitation is not None
    portal = signed_in(user)
    page = portal.get(f"/portal/requests/{ticket.pk}/").content.decode()
    assert "How did we do?" in page
    survey_answer(invitation=invitation, score=5)
    assert "How did we do?" not in portal.get(f"/portal/requests/{ticket.pk}/").content.decode()


def test_response_rates_in_the_kpi_report() -> None:
    for score in (5, None, None, 4):
        ticket = ticket_make()
        invitation = survey_invite(kind="csat", customer=ticket.requester, ticket=ticket)
        assert invitation is not None
        if score is not None:
            survey_answer(invitation=invitation, score=score)
    today = timezone.localdate()
    csat = kpis_for(kpi_period(date_from=today, date_to=today))["csat"]
    assert (csat["responses"], csat["invitations"], csat["response_rate"]) == (2, 4, 0.5)
