"""Dashboards: who sees which, figures that match the KPI report, charts that are
valid, escaped SVG, and drill-downs to the tickets behind a figure."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.analytics.charts import Series, bar_chart, line_chart, stacked_share
from caredesk.analytics.figures import kpis_for
from caredesk.analytics.selectors import kpi_period
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.sla.models import SlaPolicy
from caredesk.sla.services import sla_apply
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.services import message_add, ticket_update

pytestmark = pytest.mark.django_db


def svg(text: str) -> Any:
    """Our own chart, parsed: well-formed XML, or this raises."""
    return ET.fromstring(text)  # noqa: S314  # caredesk's own output, not untrusted input


def test_charts_are_valid_svg_with_escaped_labels_links_and_gaps() -> None:
    bars = bar_chart("Created <by> channel", ["<script>", "email"], [3.0, 7.0],
                     links=["/dashboard/tickets/?a=1&b=2", None])  # fmt: skip
    root = svg(bars)
    assert root.get("role") == "img"
    assert "<script>" not in bars
    assert "&lt;script&gt;" in bars
    assert 'href="/dashboard/tickets/?a=1&amp;b=2"' in bars
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 1  # the other is in <a>
    line = line_chart("CSAT", ["Jan", "Feb", "Mar"], [Series("CSAT %", [80.0, None, 90.0])])
    path = svg(line).find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    assert path.get("d", "").count("M") == 2  # the missing February breaks the line
    svg(stacked_share("NPS", [("Promoters", 50.0), ("Passives", 20.0),
                                        ("Detractors", 30.0)]))  # fmt: skip
    assert "No data." in bar_chart("Nothing", [], [])


def test_who_sees_which_dashboard() -> None:
    agent = signed_in(UserFactory())
    assert agent.get("/dashboard/").status_code == 200
    assert agent.get("/dashboard/team/").status_code == 403
    assert agent.get("/dashboard/manager/").status_code == 403
    boss = signed_in(UserFactory(role=Role.SUPERVISOR))
    for url in ("/dashboard/", "/dashboard/team/", "/dashboard/manager/"):
        page = boss.get(url)
        assert page.status_code == 200, url
        assert b"<svg" in page.content, url

    assert signed_in(customer_user()).get("/dashboard/").status_code == 403


def test_an_agents_figures_are_their_own_and_drill_down_to_their_tickets() -> None:
    me, other = UserFactory(first_name="Me"), UserFactory(first_name="Other")
    mine = ticket_make(subject="Mine to solve")
    theirs = ticket_make(subject="Someone else's")
    for ticket, agent in ((mine, me), (theirs, other)):
        ticket_update(ticket=ticket, actor=agent, changes={"assignee": agent})
        message_add(ticket=ticket, author=agent, text="Fixed it.")
        ticket.refresh_from_db()
        ticket_update(ticket=ticket, actor=agent, changes={"status": "solved"})
    page = signed_in(me).get("/dashboard/").content.decode()
    assert 'figure-label">Solved</span>' in page
    today = timezone.localdate().isoformat()
    drill = f"/dashboard/tickets/?from={today}&to={today}&measure=solved"
    assert f"to={today}&amp;tz=UTC&amp;measure=solved&amp;assignee={me.pk}" in page
    listed = signed_in(me).get(drill + f"&assignee={other.pk}").content.decode()
    assert "Mine to solve" in listed  # an agent's drill-down is always their own
    assert "Someone else" not in listed
    everyone = signed_in(UserFactory(role=Role.SUPERVISOR)).get(drill).content.decode()
    assert "Mine to solve" in everyone
    assert "Someone else" in everyone


def test_the_team_board_shows_backlog_sla_at_risk_and_the_forecast() -> None:
    team = TeamFactory(name="Billing")
    SlaPolicy.objects.create(name="Fast", first_response_minutes=1)
    late = ticket_make(subject="Waiting too long", team=team)
    late.created_at = timezone.now() - dt.timedelta(hours=2)
    late.save()

    sla_apply(ticket=late)  # the clocks again, from the earlier creation time
    page = signed_in(UserFactory(role=Role.SUPERVISOR)).get(f"/dashboard/team/?team={team.pk}")
    text = page.content.decode()
    assert "Waiting too long" in text
    assert "breached" in text
    assert "forecast 0 for the day" in text


def test_the_manager_board_matches_the_kpi_report_and_refuses_a_bad_period() -> None:
    for _ in range(3):
        ticket_make(type="complaint")
    today = timezone.localdate()
    report = kpis_for(kpi_period(date_from=today, date_to=today))
    boss = signed_in(UserFactory(role=Role.SUPERVISOR))
    page = boss.get(f"/dashboard/manager/?from={today}&to={today}").content.decode()
    assert f'measure=created">{report["tickets_created"]}</a>' in page
    assert "Tickets by month" in page
    bad = boss.get("/dashboard/manager/?from=2026-03-31&to=2020-01-01")
    assert bad.status_code == 422
    assert b"ends before it starts" in bad.content
    unknown = boss.get(f"/dashboard/tickets/?from={today}&to={today}&measure=nonsense")
    assert unknown.status_code == 422
    huge = boss.get(f"/dashboard/manager/?team={'9' * 40}&channel=<script>")
    assert huge.status_code == 200  # ignored, not a database error
