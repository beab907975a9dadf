"""Every KPI of a small history, loaded through `caredesk import`, against figures
computed by hand (the arithmetic is in the comments): tickets created before the period
and solved in it, reopened, still open at the end, answered after the period, solved
without a reply; surveys; purchases; time zones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.analytics.tests.helpers import rolled_up
from caredesk.cli import main

pytestmark = pytest.mark.django_db(transaction=True)

AGENT = "agent@desk.example"


def customer(email: str) -> dict[str, Any]:
    return {"kind": "customer", "external_id": email, "email": email}


def ticket(
    key: str, requester: str, created: str, *events: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    line = {"kind": "ticket", "external_id": key, "subject": f"Ticket {key}"}
    return {**line, "requester": requester, "created_at": created, "events": list(events), **kw}


def says(who: str, at: str) -> dict[str, Any]:
    return {"type": "message", "from": who, "at": at, "text": f"{who} at {at}",
            **({"author": AGENT} if who == "agent" else {})}  # fmt: skip


def status(value: str, at: str) -> dict[str, Any]:
    return {"type": "status", "status": value, "at": at}


def survey(kind: str, score: int, at: str, n: int) -> dict[str, Any]:
    return {"kind": "survey_response", "survey": kind, "email": "anna@a.example", "score": score,
            "at": at, "external_id": f"{kind}-{n}"}  # fmt: skip


def purchase(email: str, at: str, amount: str, n: int) -> dict[str, Any]:
    return {"kind": "purchase", "external_id": f"p{n}", "email": email, "at": at,
            "amount": amount, "product": "Router"}  # fmt: skip


HISTORY = [
    *(customer(e) for e in ("anna@a.example", "bob@b.example", "cara@c.example", "dan@d.example")),
    # T1: answered after 30 min, solved after 60 min with one reply: first-contact resolution.
    ticket("T1", "anna@a.example", "2026-03-02T09:00:00Z",
           says("customer", "2026-03-02T09:00:00Z"), says("agent", "2026-03-02T09:30:00Z"),
           status("solved", "2026-03-02T10:00:00Z"), team="Support"),
    # T2: a complaint on the portal, answered after 120 min, solved after 1,440 min, reopened.
    ticket("T2", "bob@b.example", "2026-03-05T12:00:00Z",
           says("customer", "2026-03-05T12:00:00Z"), says("agent", "2026-03-05T14:00:00Z"),
           status("solved", "2026-03-06T12:00:00Z"), says("customer", "2026-03-07T08:00:00Z"),
           status("open", "2026-03-07T08:00:00Z"), says("agent", "2026-03-07T09:00:00Z"),
           status("solved", "2026-03-08T12:00:00Z"), channel="portal", type="complaint"),
    # T3: created in February, solved on 3 March after two replies: 8,640 min, not FCR.
    ticket("T3", "cara@c.example", "2026-02-25T10:00:00Z",
           says("customer", "2026-02-25T10:00:00Z"), says("agent", "2026-02-25T11:00:00Z"),
           says("agent", "2026-03-03T10:00:00Z"), status("solved", "2026-03-03T10:00:00Z")),
    # T4: a call on 20 March 23:30 UTC nobody answered: open at the end, 264.5 h old.
    ticket("T4", "anna@a.example", "2026-03-20T23:30:00Z",
           says("customer", "2026-03-20T23:30:00Z"), channel="phone", type="incident"),
    # T5: 31 March 22:00 UTC (1 April in Berlin), answered 180 min later in April; open at
    # the end of March (2 h old), solved in April.
    ticket("T5", "dan@d.example", "2026-03-31T22:00:00Z",
           says("customer", "2026-03-31T22:00:00Z"), says("agent", "2026-04-01T01:00:00Z"),
           status("solved", "2026-04-01T02:00:00Z")),
    # T6: solved after 5 min without a reply (spam): in the resolution figures, no FCR.
    ticket("T6", "bob@b.example", "2026-03-10T08:00:00Z",
           says("customer", "2026-03-10T08:00:00Z"), status("solved", "2026-03-10T08:05:00Z")),
    # T7: January, solved in January: in nothing of March.
    ticket("T7", "cara@c.example", "2026-01-15T08:00:00Z",
           says("customer", "2026-01-15T08:00:00Z"), says("agent", "2026-01-15T09:00:00Z"),
           status("closed", "2026-01-20T08:00:00Z")),
    # T8: February, pending ever since: in the backlog, 1,200 h old at the end of March.
    ticket("T8", "dan@d.example", "2026-02-10T00:00:00Z",
           says("customer", "2026-02-10T00:00:00Z"), says("agent", "2026-02-10T01:00:00Z"),
           status("pending", "2026-02-10T01:00:00Z")),
    # Surveys in March (and one in February that does not count).
    *(survey("csat", s, f"2026-03-{10 + i:02d}T12:00:00Z", i)
      for i, s in enumerate([5, 4, 3, 1, 5])),
    survey("csat", 2, "2026-02-28T12:00:00Z", 9),
    *(survey("nps", s, f"2026-03-{10 + i:02d}T12:00:00Z", i)
      for i, s in enumerate([10, 9, 8, 6, 0, 10])),
    survey("ces", 2, "2026-03-05T12:00:00Z", 1),
    survey("ces", 5, "2026-03-06T12:00:00Z", 2),
    # Purchases (lifecycle window 365 days).
    purchase("anna@a.example", "2025-06-01T00:00:00Z", "100.00", 1),  # existing throughout
    purchase("bob@b.example", "2025-03-10T00:00:00Z", "50.00", 2),  # existing at start only
    purchase("cara@c.example", "2025-03-15T00:00:00Z", "30.00", 3),  # renewed in March
    purchase("cara@c.example", "2026-03-20T00:00:00Z", "70.00", 4),
    purchase("dan@d.example", "2026-03-25T00:00:00Z", "20.00", 5),  # new in March
]  # fmt: skip


@pytest.fixture(params=["records", "rollups"])
def history(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The history, imported; with "rollups", also rolled up by day (UTC) as the job
    does, so that the UTC reports add up stored days (the Berlin ones read the records)."""

    bundle = tmp_path / "history.jsonl"
    bundle.write_text("\n".join(json.dumps(line) for line in HISTORY) + "\n")
    result = CliRunner().invoke(main, ["import", str(bundle), "--json"])
    assert result.exit_code == 0, result.output
    if request.param == "rollups":
        rolled_up(dt.date(2026, 1, 1), dt.date(2026, 4, 30))
    return bundle


def report(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["report", "kpis", *args, "--json"])
    assert result.exit_code == 0, result.output
    figures: dict[str, Any] = json.loads(result.output)
    return figures


def test_march_in_utc(history: Path) -> None:
    k = report("--from", "2026-03-01", "--to", "2026-03-31")
    assert k["period"] == {"from": "2026-03-01", "to": "2026-03-31", "tz": "UTC"}
    # Created in March: T1, T2, T4, T5, T6.
    assert k["tickets_created"] == 5
    assert k["by_channel"] == {"email": 3, "phone": 1, "portal": 1}
    assert k["by_type"] == {"complaint": 1, "incident": 1, "question": 3}
    assert k["by_team"] == {"(no team)": 4, "Support": 1}
    assert k["complaint_rate"] == 0.2
    assert k["contacts_per_customer"] == round(5 / 3, 4)  # anna 2, bob 2, dan 1
    # First response of March's tickets: T1 30, T2 120, T5 180 (T4, T6 unanswered).
    assert k["first_response_minutes"] == {"count": 3, "median": 120.0, "mean": 110.0}
    # First solved in March: T1 60, T2 1440, T3 8640, T6 5 (T5 in April, T7 in January).
    assert k["tickets_solved"] == 4
    assert k["resolution_minutes"] == {"count": 4, "median": 750.0, "mean": 2536.25}
    assert k["fcr_rate"] == 0.25  # T1 only: T2 reopened, T3 two replies, T6 none
    assert k["reopen_rate"] == 0.25  # T2
    # Open on 1 April 00:00 UTC: T4 (264.5 h), T5 (2 h), T8 (1,200 h).
    assert k["backlog_end"] == 3
    assert k["backlog_age_hours"] == {"count": 3, "median": 264.5, "mean": round(1466.5 / 3, 4)}
    # CSAT 5, 4, 3, 1, 5: satisfied 3 of 5, mean 3.6, top box 2 of 5.
    # (Imported responses: no invitation was sent, so there is no response rate.)
    assert k["csat"] == {"responses": 5, "percent_satisfied": 60.0, "mean": 3.6,
                         "top_box_percent": 40.0, "invitations": 0,
                         "response_rate": None}  # fmt: skip
    # NPS 10, 9, 8, 6, 0, 10: 3 promoters, 1 passive, 2 detractors of 6.
    assert k["nps"]["responses"] == 6
    assert k["nps"]["score"] == round(100 / 6, 4)
    assert (k["nps"]["promoters_percent"], k["nps"]["detractors_percent"]) == (50.0, 33.3333)
    assert k["ces"] == {"responses": 2, "mean": 3.5, "invitations": 0, "response_rate": None}
    # Existing on 1 March: anna, bob, cara; on 1 April still: anna, cara.
    assert (k["existing_at_start"], k["retained"]) == (3, 2)
    assert (k["retention_rate"], k["churn_rate"]) == (0.6667, 0.3333)
    # Spent by 1 April: anna 100, bob 50, cara 100, dan 20.
    assert k["lifetime_value"] == {"EUR": {"customers": 4, "mean": 67.5}}


def test_march_in_berlin(history: Path) -> None:
    """In Berlin, March ends at 31 March 22:00 UTC (summer time since the 29th): T5 is an
    April ticket, and the backlog is counted two hours earlier."""
    k = report("--from", "2026-03-01", "--to", "2026-03-31", "--tz", "Europe/Berlin")
    assert k["tickets_created"] == 4
    assert k["first_response_minutes"] == {"count": 2, "median": 75.0, "mean": 75.0}
    assert k["backlog_end"] == 2  # T4 (262.5 h) and T8 (1,198 h); T5 not yet created
    assert k["backlog_age_hours"]["median"] == round((262.5 + 1198) / 2, 4)


def test_a_day_and_the_same_figures_from_the_api(history: Path, api_as: Any) -> None:
    day = report("--from", "2026-03-02", "--to", "2026-03-02")
    assert (day["tickets_created"], day["tickets_solved"], day["fcr_rate"]) == (1, 1, 1.0)
    supervisor = api_as(UserFactory(role=Role.SUPERVISOR))
    response = supervisor.get("analytics/kpis?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200
    assert response.json() == report("--from", "2026-03-01", "--to", "2026-03-31")
    assert (
        api_as(UserFactory(role=Role.AGENT))
        .get("analytics/kpis?from=2026-03-01&to=2026-03-31")
        .status_code
        == 403
    )
