import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from caredesk.accounts.factories import UserFactory
from caredesk.customers.factories import CustomerFactory
from caredesk.customers.services import purchase_create, segment_create
from caredesk.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from caredesk.sla.services import sla_apply, sla_check, sla_sweep
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Commitment, TicketEvent
from caredesk.tickets.services import (
    commitment_create,
    commitment_resolve,
    message_add,
    ticket_update,
)
from caredesk.tickets.services.commitments import commitment_reminders, commitment_stats

pytestmark = pytest.mark.django_db

UTC = dt.UTC
MONDAY_9 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


def at(**delta: float) -> dt.datetime:
    return MONDAY_9 + dt.timedelta(**delta)


@pytest.fixture
def office() -> BusinessCalendar:
    return BusinessCalendar.objects.create(
        name="Office",
        timezone="Europe/Berlin",
        hours=[{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}],
        holidays=["2026-12-25"],
    )


def policy(**kw: object) -> SlaPolicy:
    defaults: dict[str, object] = {"name": f"P{SlaPolicy.objects.count()}"}
    return SlaPolicy.objects.create(**{**defaults, **kw})


def test_the_first_matching_policy_sets_due_times_in_business_time(
    office: BusinessCalendar,
) -> None:
    policy(name="Urgent", position=0, conditions={"priority": ["urgent"]}, calendar=office,
           first_response_minutes=60, resolution_minutes=480)  # fmt: skip
    policy(name="Everything else", position=1, first_response_minutes=24 * 60)
    urgent = ticket_make(priority="urgent", created_at=at(hours=7, minutes=30))
    sla = TicketSla.objects.get(ticket=urgent)
    assert sla.policy.name == "Urgent"
    # 16:30 Berlin + 60 business minutes: 30 today, 30 on Tuesday from 09:00
    assert sla.first_response_due == dt.datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert sla.first_response_warn == dt.datetime(2026, 12, 1, 8, 15, tzinfo=UTC)  # 75 %
    normal = ticket_make(priority="normal", created_at=MONDAY_9)
    assert TicketSla.objects.get(ticket=normal).first_response_due == at(days=1)


def test_a_new_priority_recomputes_the_due_times(office: BusinessCalendar) -> None:
    policy(position=0, conditions={"priority": ["urgent"]}, calendar=office, resolution_minutes=60)
    policy(position=1, calendar=office, resolution_minutes=16 * 60)
    ticket = ticket_make(created_at=MONDAY_9)
    assert TicketSla.objects.get(ticket=ticket).resolution_due == at(days=1, hours=8)
    ticket_update(ticket=ticket, actor=UserFactory(), changes={"priority": "urgent"})
    assert TicketSla.objects.get(ticket=ticket).resolution_due == at(hours=1)


def test_first_and_next_response_clocks() -> None:
    policy(first_response_minutes=60, next_response_minutes=30)
    agent = UserFactory()
    ticket = ticket_make(created_at=MONDAY_9)
    message_add(ticket=ticket, author=agent, text="On it", created_at=at(minutes=20))
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.first_response_met == at(minutes=20)
    assert sla.next_response_due is None
    later = at(hours=2)
    customer = ticket.requester
    message_add(ticket=ticket, author=None, author_role="customer",
                author_customer=customer, text="Still broken", created_at=later)  # fmt: skip
    sla.refresh_from_db()
    assert sla.next_response_due == later + dt.timedelta(minutes=30)
    message_add(
        ticket=ticket, author=agent, text="Fixed", created_at=later + dt.timedelta(minutes=10)
    )
    sla.refresh_from_db()
    assert sla.next_response_met == later + dt.timedelta(minutes=10)


def test_pending_stops_the_resolution_clock_for_the_business_time_it_waits(
    office: BusinessCalendar,
) -> None:
    policy(calendar=office, resolution_minutes=8 * 60, pause_when_pending=True)
    agent = UserFactory()
    ticket = ticket_make(created_at=MONDAY_9)
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.resolution_due == at(hours=8)
    ticket_update(ticket=ticket, actor=agent, changes={"status": "pending"},
                  at=at(hours=2))  # fmt: skip
    ticket_update(
        ticket=ticket,
        actor=agent,
        changes={"status": "open"},
        at=at(days=1, hours=1),
    )  # Tue 10:00: 6 + 1 h waited
    sla.refresh_from_db()
    assert sla.paused_minutes == 7 * 60
    assert sla.resolution_due == at(days=1, hours=7)  # Tue 16:00 Berlin
    ticket_update(ticket=ticket, actor=agent, changes={"status": "solved"},
                  at=at(days=1, hours=3))  # fmt: skip
    sla.refresh_from_db()
    assert sla.resolution_met == at(days=1, hours=3)


def test_breaches_and_warnings_are_recorded_once_at_the_moment_they_happened() -> None:
    policy(first_response_minutes=60, warn_at_percent=50)
    ticket = ticket_make(created_at=MONDAY_9)
    assert sla_check(now=at(minutes=10)) == []
    warned = sla_check(now=at(minutes=31))
    assert [(e.ticket_id, e.target, e.kind) for e in warned] == [
        (ticket.pk, "first_response", "warning")
    ]
    assert sla_check(now=at(minutes=45)) == []
    late = sla_check(now=at(hours=3))
    assert [(e.target, e.kind, e.at) for e in late] == [("first_response", "breach", at(hours=1))]
    assert sla_check(now=at(hours=4)) == []
    assert TicketSla.objects.get(ticket=ticket).first_response_breached == at(hours=1)


def test_a_met_target_never_breaches_and_no_policy_means_no_clock() -> None:
    ticket = ticket_make(created_at=MONDAY_9)
    assert not TicketSla.objects.filter(ticket=ticket).exists()
    policy(first_response_minutes=60)
    answered = ticket_make(created_at=MONDAY_9)
    message_add(ticket=answered, author=UserFactory(), text="Hi",
                created_at=at(minutes=5))  # fmt: skip
    assert sla_check(now=at(days=2)) == []


def test_a_sweep_starts_clocks_on_existing_tickets_exactly_as_one_by_one(
    office: BusinessCalendar,
) -> None:
    tickets = [ticket_make(created_at=at(hours=h), priority=p)
               for h, p in ((0, "urgent"), (3, "low"), (30, "normal"))]  # fmt: skip
    solved = ticket_make(created_at=at(hours=1))
    ticket_update(ticket=solved, actor=UserFactory(), changes={"status": "solved"})
    policy(position=0, conditions={"priority": ["urgent"]}, calendar=office,
           first_response_minutes=30, resolution_minutes=240)  # fmt: skip
    policy(position=1, calendar=office, first_response_minutes=240, resolution_minutes=2400)
    stats = sla_sweep(now=at(hours=2))
    assert (stats.tickets, stats.with_policy) == (3, 3)
    assert stats.breaches == 1  # the urgent one's first response, due at 09:30
    swept = {s.ticket_id: s for s in TicketSla.objects.all()}
    assert solved.pk not in swept
    assert swept[tickets[0].pk].first_response_breached == at(minutes=30)
    for t in tickets:
        one = sla_apply(ticket=t)
        assert one is not None
        assert (one.first_response_due, one.resolution_due, one.policy_id) == (
            swept[t.pk].first_response_due,
            swept[t.pk].resolution_due,
            swept[t.pk].policy_id,
        )


def test_the_inbox_and_the_ticket_page_show_the_clocks() -> None:
    policy(first_response_minutes=60, resolution_minutes=600)
    agent = UserFactory()
    ticket = ticket_make(created_at=timezone.now() - dt.timedelta(hours=2))
    sla_check()
    c = Client(SERVER_NAME="localhost")
    c.force_login(agent)
    row = c.get("/inbox/?view=open").context["rows"][0]
    assert row.sla_state == "breached"
    assert row.sla_text.startswith("First response: breached")
    page = c.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "First response: breached" in page
    assert "Resolution: due in" in page


def test_without_a_clock_provider_the_pages_show_no_clocks(settings: Any) -> None:
    """tickets know the clocks only through the setting (caredesk.tickets.clocks)."""

    policy(first_response_minutes=60)
    ticket = ticket_make(created_at=timezone.now() - dt.timedelta(hours=2))
    sla_check()
    settings.CAREDESK_TICKET_CLOCKS = None
    c = Client(SERVER_NAME="localhost")
    c.force_login(UserFactory())
    assert c.get("/inbox/?view=open").context["rows"][0].sla_state == ""
    page = c.get(f"/tickets/{ticket.pk}/")
    assert page.status_code == 200
    assert "First response: breached" not in page.content.decode()


def test_commitments_are_reminded_once_before_their_due_time_and_measured() -> None:
    agent = UserFactory()
    ticket = ticket_make(created_at=MONDAY_9)
    call = commitment_create(ticket=ticket, actor=agent, description="Call back",
                             due_at=at(hours=2), created_at=MONDAY_9)  # fmt: skip
    mail = commitment_create(ticket=ticket, actor=agent, description="Send the part",
                             due_at=at(hours=5), created_at=MONDAY_9)  # fmt: skip
    commitment_create(ticket=ticket, actor=agent, description="Visit",
                      due_at=at(hours=3), created_at=MONDAY_9)  # fmt: skip
    assert commitment_reminders(now=at(hours=1)) == []
    assert [c.pk for c in commitment_reminders(now=at(hours=1, minutes=35))] == [call.pk]
    assert commitment_reminders(now=at(hours=1, minutes=40)) == []  # once
    assert TicketEvent.objects.filter(ticket=ticket, field="commitment_reminder").count() == 1
    commitment_resolve(commitment=call, actor=agent, status="kept")
    commitment_resolve(commitment=mail, actor=agent, status="broken")
    stats = commitment_stats(start=MONDAY_9, end=at(days=1), now=at(hours=4))
    assert (stats.due, stats.kept, stats.broken, stats.overdue) == (3, 1, 1, 1)
    assert stats.kept_rate == round(1 / 3, 4)
    assert Commitment.objects.get(pk=call.pk).reminded_at == at(hours=1, minutes=35)


def test_a_segment_condition_picks_the_policy_one_by_one_and_in_the_sweep() -> None:
    vip = segment_create(name="Big spenders", rules={"min_lifetime_value": "100"})
    policy(position=0, conditions={"segment_ids": [vip.pk]}, first_response_minutes=15)
    policy(position=1, first_response_minutes=600)
    rich, poor = CustomerFactory(), CustomerFactory()
    purchase_create(customer=rich, amount="250", product="Router", purchased_at=MONDAY_9)
    fast = ticket_make(requester=rich, created_at=MONDAY_9)
    slow = ticket_make(requester=poor, created_at=MONDAY_9)
    assert TicketSla.objects.get(ticket=fast).first_response_due == at(minutes=15)
    assert TicketSla.objects.get(ticket=slow).first_response_due == at(minutes=600)
    sla_sweep(now=MONDAY_9)
    assert TicketSla.objects.get(ticket=fast).first_response_due == at(minutes=15)
    assert TicketSla.objects.get(ticket=slow).first_response_due == at(minutes=600)


@pytest.mark.django_db(transaction=True)
def test_the_sweep_on_its_own_writes_through_its_writer_thread_the_same_clocks(
    office: BusinessCalendar,
) -> None:
    assert not connection.in_atomic_block  # as in `caredesk sla sweep` (PostgreSQL: threaded)
    kinds = ((0, "urgent"), (1, "low"), (2, "high"), (3, "urgent"), (4, "low"))
    tickets = [ticket_make(created_at=at(hours=h), priority=p) for h, p in kinds]
    urgent = policy(position=0, conditions={"priority": ["urgent"]}, calendar=office,
                    first_response_minutes=30, resolution_minutes=240)  # fmt: skip
    policy(position=1, conditions={"priority": ["high"]}, calendar=office,
           first_response_minutes=240, resolution_minutes=2400)  # fmt: skip
    stats = sla_sweep(now=at(hours=2), batch=2)  # three batches
    assert (stats.tickets, stats.with_policy) == (5, 3)
    swept = {s.ticket_id: s for s in TicketSla.objects.all()}
    assert set(swept) == {tickets[0].pk, tickets[2].pk, tickets[3].pk}
    for t in (tickets[0], tickets[2], tickets[3]):
        one = sla_apply(ticket=t)
        assert one is not None
        assert (one.first_response_due, one.resolution_due) == (
            swept[t.pk].first_response_due,
            swept[t.pk].resolution_due,
        )
    urgent.active = False
    urgent.save()
    sla_sweep(now=at(hours=2), batch=2)  # the urgent tickets have no policy any more
    assert set(TicketSla.objects.values_list("ticket_id", flat=True)) == {tickets[2].pk}


def test_a_sweep_stamps_only_clocks_whose_outcome_or_due_time_changed(
    office: BusinessCalendar,
) -> None:
    """updated_at tells the KPI rollups which days to rebuild: a sweep that recomputes
    the same clocks must not move it, a new due time must."""

    policy(position=0, calendar=office, first_response_minutes=240, resolution_minutes=2400)
    ticket = ticket_make(created_at=at(hours=1))
    sla_sweep(now=at(hours=2))
    stamped = TicketSla.objects.get(ticket=ticket).updated_at
    sla_sweep(now=at(hours=3))
    assert TicketSla.objects.get(ticket=ticket).updated_at == stamped
    faster = SlaPolicy.objects.get()
    faster.first_response_minutes = 60
    faster.save()
    sla_sweep(now=at(hours=4))
    assert TicketSla.objects.get(ticket=ticket).updated_at > stamped
