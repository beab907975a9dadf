"""The daily rollups give exactly the figures of the raw definitions: for every period,
scope and time zone, after changes the job has not seen yet, and after it has; and the
reporting facts the services keep on tickets equal those derived from the history."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.accounts.models import Team, User
from caredesk.analytics.figures import kpis_for
from caredesk.analytics.models import BacklogAt, DailyRollup
from caredesk.analytics.rollups import (
    MARGIN,
    changed_days,
    day_tallies,
    rollups_forget,
    rollups_refresh,
)
from caredesk.analytics.selectors import EVERYONE, Scope, kpi_period
from caredesk.analytics.tests.helpers import settle
from caredesk.cli import main
from caredesk.customers.factories import CustomerFactory
from caredesk.sla.facts import sla_business_facts_backfill
from caredesk.sla.models import BusinessCalendar, SlaPolicy
from caredesk.sla.services import sla_check
from caredesk.surveys.services import survey_response_record
from caredesk.tickets.models import Ticket
from caredesk.tickets.services import message_add, ticket_create, ticket_merge, ticket_update
from caredesk.tickets.services.facts import (
    FACT_FIELDS,
    ticket_facts_backfill,
    ticket_facts_backfill_all,
)

pytestmark = pytest.mark.django_db

DAYS = 12
CHANNELS = ("email", "phone", "web")


def history(seed: int) -> dict[str, Any]:
    """Tickets over the last DAYS days through the services: answered or not, solved,
    reopened, solved again, closed, moved between teams; CSAT and NPS answers; an SLA
    policy with business hours. Returns the cast."""
    rng = random.Random(seed)
    office = BusinessCalendar.objects.create(
        name="Office", timezone="Europe/Berlin",
        hours=[{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}],
    )  # fmt: skip
    SlaPolicy.objects.create(name="Email", conditions={"channel": ["email"]}, calendar=office,
                             first_response_minutes=120, resolution_minutes=960)  # fmt: skip
    teams = [TeamFactory(name="Billing"), TeamFactory(name="Tech")]
    agent = UserFactory(role=Role.AGENT)
    people = [CustomerFactory() for _ in range(6)]
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=DAYS)
    for n in range(60):
        created = start + dt.timedelta(minutes=rng.randrange(0, (DAYS - 2) * 24 * 60))
        ticket = ticket_create(
            requester=rng.choice(people), subject=f"Ticket {n}", text="Help",
            channel=rng.choice(CHANNELS), type=rng.choice(["question", "complaint"]),
            team=rng.choice([*teams, None]), assignee=rng.choice([agent, None]),
            created_at=created,
        )  # fmt: skip
        _life(rng, ticket, agent, created)
    settle()
    return {"teams": teams, "agent": agent}


def _life(rng: random.Random, ticket: Ticket, agent: User, at: dt.datetime) -> None:
    for _ in range(rng.randrange(0, 5)):
        at += dt.timedelta(minutes=rng.randrange(1, 900), microseconds=rng.randrange(10**6))
        step = rng.random()
        if ticket.status == "closed":
            return
        if step < 0.4:
            message_add(ticket=ticket, author=agent, text="On it", created_at=at)
        elif step < 0.55:
            message_add(ticket=ticket, author=None, author_customer=ticket.requester,
                        author_role="customer", text="Still broken", created_at=at)  # fmt: skip
        elif step < 0.85:
            new = rng.choice(["solved", "solved", "closed", "pending"])
            if new != ticket.status:
                ticket_update(ticket=ticket, actor=agent, changes={"status": new}, at=at)
            if new == "solved" and rng.random() < 0.5:
                survey_response_record(kind="csat", customer=ticket.requester, ticket=ticket,
                                       score=rng.randint(1, 5), responded_at=at)  # fmt: skip
        else:
            survey_response_record(kind="nps", customer=ticket.requester,
                                   score=rng.randint(0, 10), responded_at=at)  # fmt: skip


def periods(tz: str) -> list[Any]:
    today = timezone.localdate(timezone=__import__("zoneinfo").ZoneInfo(tz))
    first = today - dt.timedelta(days=DAYS)
    spans = [(first, today), (first + dt.timedelta(days=3), first + dt.timedelta(days=3)),
             (first + dt.timedelta(days=2), today - dt.timedelta(days=4))]  # fmt: skip
    return [kpi_period(date_from=a, date_to=b, tz=tz) for a, b in spans]


def scopes(cast: dict[str, Any]) -> list[Scope]:
    billing: Team = cast["teams"][0]
    agent: User = cast["agent"]
    return [EVERYONE, Scope(team_id=billing.pk), Scope(channel="email"),
            Scope(team_id=billing.pk, channel="email"), Scope(assignee_id=agent.pk)]  # fmt: skip


def assert_same_as_raw(cast: dict[str, Any], tz: str = "UTC") -> None:
    for period in periods(tz):
        for scope in scopes(cast):
            assert kpis_for(period, scope) == kpis_for(period, scope, raw=True), (period, scope)


def test_the_facts_the_services_keep_are_those_of_the_history() -> None:
    history(seed=1)
    assert Ticket.objects.filter(first_solved_at__isnull=False).exists()
    assert Ticket.objects.filter(first_response_business_us__isnull=False).exists()
    assert ticket_facts_backfill() == 0  # nothing to correct
    assert sla_business_facts_backfill() == 0
    fields = [*FACT_FIELDS, "first_response_business_us"]
    kept = list(Ticket.objects.order_by("pk").values_list(*fields))
    Ticket.objects.update(**dict.fromkeys(fields))
    ticket_facts_backfill_all()  # as an upgrade does it (PostgreSQL: set-based)
    assert sla_business_facts_backfill() > 0
    assert list(Ticket.objects.order_by("pk").values_list(*fields)) == kept


@pytest.mark.parametrize("seed", [2, 3])
def test_rollups_give_the_figures_of_the_raw_definitions(seed: int) -> None:
    cast = history(seed)
    done = rollups_refresh()
    assert done["built"] >= DAYS - 2  # from the first ticket's day to yesterday
    assert not changed_days(timezone.now() - MARGIN, "UTC")  # every day is read stored
    assert DailyRollup.objects.filter(key="", month=False).count() == done["built"]
    assert DailyRollup.objects.filter(key__startswith="team:").exists()
    assert_same_as_raw(cast)
    month = periods("UTC")[0]
    report = kpis_for(month)
    assert report["tickets_created"] == 60
    assert report["resolution_minutes"]["count"] > 0
    assert report["csat"]["responses"] > 0


def test_the_report_reads_the_stored_days() -> None:
    history(seed=4)
    rollups_refresh()
    period = periods("UTC")[0]
    honest = kpis_for(period)
    row = DailyRollup.objects.filter(key="", month=False).exclude(data__created=0).first()
    assert row is not None
    row.data = {**row.data, "created": row.data["created"] + 1000}
    row.save()
    assert kpis_for(period)["tickets_created"] == honest["tickets_created"] + 1000
    assert kpis_for(period, raw=True)["tickets_created"] == honest["tickets_created"]


def test_changes_the_job_has_not_seen_are_read_from_the_records() -> None:
    cast = history(seed=5)
    rollups_refresh()
    old = Ticket.objects.exclude(status__in=["solved", "closed"]).order_by("created_at").first()
    solved = Ticket.objects.filter(status="solved").order_by("created_at").first()
    assert old is not None
    assert solved is not None
    # Now: an old ticket is answered and solved, a solved one reopened and moved to
    # another team, a late CSAT about it; the days they were created on change.
    message_add(ticket=old, author=cast["agent"], text="Fixed", status_after="solved")
    message_add(ticket=solved, author=None, author_customer=solved.requester,
                author_role="customer", text="Not fixed")  # fmt: skip
    ticket_update(ticket=solved, actor=cast["agent"], changes={"team": cast["teams"][1]})
    survey_response_record(kind="csat", customer=solved.requester, ticket=solved, score=1,
                           responded_at=timezone.now())  # fmt: skip
    # The SLA check records breaches at the moment they happened: days ago.
    breaches = {e.at.astimezone(dt.UTC).date() for e in sla_check() if e.kind == "breach"}
    assert breaches
    assert breaches <= changed_days(timezone.now() - MARGIN, "UTC")
    day = old.created_at.astimezone(dt.UTC).date()
    stored = DailyRollup.objects.get(key="", day=day, month=False).data
    assert stored != day_tallies(day, "UTC")[""].as_json()  # the stored day is out of date
    assert_same_as_raw(cast)
    done = rollups_refresh()
    assert (
        DailyRollup.objects.get(key="", day=day, month=False).data
        == day_tallies(day, "UTC")[""].as_json()
    )
    assert done["rebuilt"] >= 2  # the days those tickets were created and first solved
    assert_same_as_raw(cast)


def test_rollups_in_the_installation_time_zone() -> None:
    with override_settings(TIME_ZONE="Europe/Berlin"):
        cast = history(seed=6)
        rollups_refresh()
        assert_same_as_raw(cast, tz="Europe/Berlin")
        assert_same_as_raw(cast, tz="UTC")  # another zone: read from the records


def test_an_import_of_history_drops_the_days_it_touches() -> None:
    history(seed=7)
    rollups_refresh()
    before = DailyRollup.objects.filter(key="", month=False).count()
    start = timezone.now() - dt.timedelta(days=3)
    assert rollups_forget(start, timezone.now()) > 0
    assert DailyRollup.objects.filter(key="", month=False).count() == before - 3
    assert rollups_refresh()["built"] == 3


def test_the_command_builds_the_rollups_and_raw_reads_the_records() -> None:
    history(seed=8)
    built = CliRunner().invoke(main, ["report", "rollups"])
    assert built.exit_code == 0, built.output
    assert "0 days rebuilt" in built.output
    assert DailyRollup.objects.filter(key="", month=False).exists()
    period = periods("UTC")[0]
    args = ["report", "kpis", "--from", str(period.date_from), "--to", str(period.date_to)]
    stored = CliRunner().invoke(main, [*args, "--json"])
    raw = CliRunner().invoke(main, [*args, "--json", "--raw"])
    assert stored.exit_code == raw.exit_code == 0
    assert stored.output == raw.output
    again = CliRunner().invoke(main, ["report", "rollups", "--rebuild"])
    assert again.exit_code == 0, again.output
    assert f"{DailyRollup.objects.filter(key='', month=False).count()} days built" in again.output


def test_a_whole_month_is_read_from_its_month_row_unless_a_day_of_it_changed() -> None:
    agent = UserFactory(role=Role.AGENT)
    first = (timezone.localdate() - dt.timedelta(days=40)).replace(day=1)
    month = kpi_period(date_from=first, date_to=(first + dt.timedelta(days=32)).replace(day=1)
                       - dt.timedelta(days=1))  # fmt: skip
    made = []
    for n in range(20):
        at = month.start + dt.timedelta(hours=30 * n + 1)
        ticket = ticket_create(requester=CustomerFactory(), subject=f"T{n}", text="Help",
                               created_at=at)  # fmt: skip
        message_add(ticket=ticket, author=agent, text="Done", created_at=at + dt.timedelta(hours=2),
                    status_after="solved")  # fmt: skip
        made.append(ticket)
    settle()
    rollups_refresh()
    row = DailyRollup.objects.get(key="", month=True, day=first)
    assert row.data["created"] == 20
    assert row.data["resolution"][3] == 2 * 3600 * 10**6  # the month's exact median, kept
    assert kpis_for(month) == kpis_for(month, raw=True)
    with CaptureQueriesContext(connection) as month_only:
        kpis_for(month)
    assert not [q for q in month_only.captured_queries if "ORDER BY" in q["sql"]
                and "LIMIT 1" in q["sql"] and "first_response_us" in q["sql"]]  # fmt: skip
    row.data = {**row.data, "created": 1020}
    row.save()
    assert kpis_for(month)["tickets_created"] == 1020  # the month row, not its days
    ticket_update(ticket=made[3], actor=agent, changes={"type": "complaint"})
    assert kpis_for(month) == kpis_for(month, raw=True)  # a day changed: read by days
    rollups_refresh()
    assert DailyRollup.objects.get(key="", month=True, day=first).data["created"] == 20
    assert kpis_for(month)["by_type"] == {"complaint": 1, "question": 19}


def test_a_past_backlog_is_kept_until_a_ticket_open_then_is_merged_or_moved() -> None:
    cast = history(seed=9)
    rollups_refresh()
    period = periods("UTC")[2]  # ends four days ago
    billing = Scope(team_id=cast["teams"][0].pk)
    for scope in (EVERYONE, billing):
        assert kpis_for(period, scope) == kpis_for(period, scope, raw=True)
    kept = BacklogAt.objects.get(key="", moment=period.end)
    assert kept.count == kpis_for(period, raw=True)["backlog_end"] > 1
    BacklogAt.objects.filter(pk=kept.pk).update(count=999)
    assert kpis_for(period)["backlog_end"] == 999  # kept, not computed again
    open_then = Ticket.objects.filter(created_at__lt=period.end, status__in=["new", "open"])
    source, target = open_then.order_by("pk")[:2]
    ticket_merge(source=source, target=target, actor=cast["agent"])
    for scope in (EVERYONE, billing):
        assert kpis_for(period, scope) == kpis_for(period, scope, raw=True)
    moved = open_then.exclude(team=cast["teams"][0]).exclude(pk=source.pk).first()
    assert moved is not None
    ticket_update(ticket=moved, actor=cast["agent"], changes={"team": cast["teams"][0]})
    assert kpis_for(period, billing) == kpis_for(period, billing, raw=True)
    still = open_then.filter(team=cast["teams"][0], status_changed_at__lt=period.end)
    gone = still.exclude(pk__in=[source.pk, moved.pk]).first()  # open then, in Billing
    assert gone is not None
    before = kpis_for(period, billing)["backlog_end"]
    ticket_update(ticket=gone, actor=cast["agent"], changes={"team": cast["teams"][1]})
    assert kpis_for(period, billing)["backlog_end"] == before - 1  # moved out of Billing
    assert kpis_for(period, billing) == kpis_for(period, billing, raw=True)
