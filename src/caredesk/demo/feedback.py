"""Demo feedback: surveys sent after solved tickets (some answered), NPS and CES answers
over half a year, follow-ups of the low scores (one done), a segment with a quarterly
NPS campaign, and a weekly report to the supervisor. Nothing is mailed while loading:
invitations are recorded as sent, campaigns and reports are due in the future."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from caredesk.accounts.models import User
from caredesk.analytics.models import ScheduledReport
from caredesk.analytics.reports import next_run
from caredesk.customers.models import Customer
from caredesk.customers.services import segment_create
from caredesk.surveys.models import DeliveryStatus, NpsCampaign, SurveyInvitation, SurveyResponse
from caredesk.surveys.services import follow_up_close, follow_up_open, survey_response_record
from caredesk.tickets.models import Ticket

NPS_COMMENTS = ["", "", "Quick and friendly.", "Took too long.", "The app keeps crashing.",
                "Great support team!", "Billing is confusing."]  # fmt: skip


def demo_feedback(rng: random.Random, supervisor: User) -> None:
    now = timezone.now()
    _invitations(rng, now)
    customers = list(Customer.objects.order_by("id")[:250])
    for _ in range(160):
        at = now - dt.timedelta(days=rng.uniform(0, 180))
        survey_response_record(
            kind="nps",
            customer=rng.choice(customers),
            score=rng.choices(range(11), [2, 1, 1, 2, 2, 4, 6, 10, 14, 22, 20])[0],
            responded_at=at,
            comment=rng.choice(NPS_COMMENTS),
        )
    for _ in range(60):
        survey_response_record(
            kind="ces",
            customer=rng.choice(customers),
            score=rng.choices(range(1, 8), [2, 3, 5, 8, 14, 20, 14])[0],
            responded_at=now - dt.timedelta(days=rng.uniform(0, 90)),
        )
    recent_low = SurveyResponse.objects.filter(
        kind__in=["csat", "nps"], responded_at__gte=now - dt.timedelta(days=10)
    ).order_by("id")
    opened = [
        follow_up_open(response=r)
        for r in recent_low
        if (r.kind == "csat" and r.score <= 2) or (r.kind == "nps" and r.score <= 6)
    ][:12]
    if opened:
        follow_up_close(follow_up=opened[0], actor=supervisor,
                        outcome="Called the customer; refund approved.")  # fmt: skip
    segment = segment_create(
        name="Existing customers", rules={"lifecycle": ["existing"]},
        description="Bought within the recency window.",
    )  # fmt: skip
    NpsCampaign.objects.create(
        name="Quarterly NPS", segment=segment, every_days=91,
        next_run_at=now + dt.timedelta(days=30),
    )  # fmt: skip
    weekly = ScheduledReport(name="Weekly KPIs", recipients=supervisor.email, tz="Europe/Berlin")
    weekly.next_run_at = next_run(weekly, now)
    weekly.save()


def _invitations(rng: random.Random, now: dt.datetime) -> None:
    """A CSAT survey for most tickets solved in the last 60 days, answered where the
    demo history has a response (so the response rate is real)."""
    solved = Ticket.objects.filter(solved_at__gte=now - dt.timedelta(days=60)).order_by("id")
    answered = {
        r.ticket_id: r for r in SurveyResponse.objects.filter(kind="csat", ticket__in=solved)
    }
    rows = [
        SurveyInvitation(
            kind="csat",
            customer_id=t.requester_id,
            ticket=t,
            status=DeliveryStatus.SENT,
            sent_at=t.solved_at,
            created_at=t.solved_at or now,
            response=answered.get(t.pk),
        )
        for t in solved
        if t.pk in answered or rng.random() < 0.8
    ]
    SurveyInvitation.objects.bulk_create(rows)
