"""The service KPIs, each defined once: every report, screen, export and API computes its
figures through these functions (docs/kpis.md says the same in words).

Framework-free. The selectors turn the database into the plain facts below; the
functions here turn facts into figures. Rates are fractions from 0 to 1; percentages
(CSAT, NPS) are from 0 to 100, as service managers quote them. A figure over nothing
(no tickets, no responses) is None, never 0.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SOLVED_STATUSES = frozenset({"solved", "closed"})
COMPLAINT = "complaint"
CSAT_SATISFIED = frozenset({4, 5})
CSAT_TOP_BOX = 5
NPS_PROMOTERS = range(9, 11)
NPS_DETRACTORS = range(0, 7)


@dataclass(frozen=True)
class Distribution:
    """How long something took: how many, the median and the mean (minutes, hours…)."""

    count: int
    median: float | None
    mean: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median": _round(self.median), "mean": _round(self.mean)}


def distribution(values: Iterable[float]) -> Distribution:
    data = sorted(values)
    if not data:
        return Distribution(0, None, None)
    return Distribution(len(data), statistics.median(data), statistics.fmean(data))


def share(part: int, whole: int) -> float | None:
    """part/whole as a fraction, None when there is nothing to share."""
    return part / whole if whole else None


def minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 60


@dataclass(frozen=True)
class CreatedTicket:
    """A ticket created in the period, as the volume and response measures see it."""

    id: int
    created_at: dt.datetime
    channel: str
    type: str
    team: str | None
    requester_id: int
    first_response_at: dt.datetime | None  # the first public agent message after the customer's
    first_response_business_minutes: float | None = None  # where its SLA has a calendar


@dataclass(frozen=True)
class SolvedTicket:
    """A ticket first solved (or closed) in the period."""

    id: int
    created_at: dt.datetime
    first_solved_at: dt.datetime
    agent_replies_before_solved: int  # public agent messages up to the first solve
    reopened: bool  # went from solved back to an open status at least once
    assignee: str | None = None


@dataclass(frozen=True)
class SlaClock:
    """One SLA target (first_response, next_response, resolution) of one ticket."""

    policy: str
    target: str
    due: dt.datetime | None
    met: dt.datetime | None
    breached: dt.datetime | None  # when a check recorded that it ran out


@dataclass(frozen=True)
class Purchase:
    customer_id: int
    at: dt.datetime
    amount: float
    currency: str


@dataclass
class Period:
    start: dt.datetime  # inclusive, UTC
    end: dt.datetime  # exclusive, UTC
    date_from: dt.date
    date_to: dt.date
    tz: str


def volume(created: Sequence[CreatedTicket]) -> dict[str, Any]:
    """Tickets created in the period, in all and by channel, type and team; contacts per
    customer (tickets per distinct requester) and the complaint rate (type complaint)."""
    requesters = {t.requester_id for t in created}
    complaints = sum(1 for t in created if t.type == COMPLAINT)
    return {
        "tickets_created": len(created),
        "by_channel": _counts(t.channel for t in created),
        "by_type": _counts(t.type for t in created),
        "by_team": _counts(t.team or "(no team)" for t in created),
        "contacts_per_customer": _round(share(len(created), len(requesters))),
        "complaint_rate": _round(share(complaints, len(created))),
    }


def first_response(created: Sequence[CreatedTicket]) -> dict[str, Any]:
    """From creation to the first public agent message, for tickets created in the
    period that have one: calendar minutes, and business minutes where the ticket's SLA
    policy has a calendar."""
    calendar = distribution(
        minutes_between(t.created_at, t.first_response_at)
        for t in created
        if t.first_response_at is not None
    )
    business = distribution(
        t.first_response_business_minutes
        for t in created
        if t.first_response_business_minutes is not None
    )
    return {
        "first_response_minutes": calendar.as_dict(),
        "first_response_business_minutes": business.as_dict(),
    }


def resolution(solved: Sequence[SolvedTicket]) -> dict[str, Any]:
    """Tickets first solved in the period: resolution time (creation to first solve),
    first-contact resolution (solved after exactly one public agent message and never
    reopened) and reopen rate (reopened at least once)."""
    fcr = sum(1 for t in solved if t.agent_replies_before_solved == 1 and not t.reopened)
    reopened = sum(1 for t in solved if t.reopened)
    return {
        "tickets_solved": len(solved),
        "resolution_minutes": distribution(
            minutes_between(t.created_at, t.first_solved_at) for t in solved
        ).as_dict(),
        "fcr_rate": _round(share(fcr, len(solved))),
        "reopen_rate": _round(share(reopened, len(solved))),
        "solved_by_agent": _counts(t.assignee or "(unassigned)" for t in solved),
    }


@dataclass(frozen=True)
class Invitations:
    """Surveys of one kind sent in the period (by email, or shown in the portal; failed
    deliveries left out) and how many of them were answered."""

    sent: int = 0
    answered: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"invitations": self.sent, "response_rate": _round(share(self.answered, self.sent))}


def csat(scores: Sequence[int], invitations: Invitations = Invitations()) -> dict[str, Any]:
    """CSAT (1-5): the percentage of 4 and 5 (satisfied), the mean, and the percentage
    of 5 alone (top box: "completely satisfied" is not "satisfied")."""
    n = len(scores)
    satisfied = sum(1 for s in scores if s in CSAT_SATISFIED)
    top = sum(1 for s in scores if s == CSAT_TOP_BOX)
    return {
        "responses": n,
        "percent_satisfied": _percent(satisfied, n),
        "mean": _round(statistics.fmean(scores) if n else None),
        "top_box_percent": _percent(top, n),
        **invitations.as_dict(),
    }


def nps(scores: Sequence[int], invitations: Invitations = Invitations()) -> dict[str, Any]:
    """NPS (0-10): the percentage of promoters (9-10) minus that of detractors (0-6)."""
    n = len(scores)
    promoters = sum(1 for s in scores if s in NPS_PROMOTERS)
    detractors = sum(1 for s in scores if s in NPS_DETRACTORS)
    score = None if not n else 100 * (promoters - detractors) / n
    return {
        "responses": n,
        "score": _round(score),
        "promoters_percent": _percent(promoters, n),
        "passives_percent": _percent(n - promoters - detractors, n),
        "detractors_percent": _percent(detractors, n),
        **invitations.as_dict(),
    }


def ces(scores: Sequence[int], invitations: Invitations = Invitations()) -> dict[str, Any]:
    """CES (1-7): the mean effort score."""
    mean = _round(statistics.fmean(scores) if scores else None)
    return {"responses": len(scores), "mean": mean, **invitations.as_dict()}


SLA_TARGETS = ("first_response", "next_response", "resolution")


def sla_outcome(clock: SlaClock, *, start: dt.datetime, end: dt.datetime) -> str | None:
    """What became of a clock in the period: "met" when it was met by its due time in
    the period; "breached" when it ran out in the period, or was met late in it before
    a check recorded the breach; None when its outcome falls outside the period."""
    if clock.breached is not None:
        return "breached" if start <= clock.breached < end else None
    if clock.met is not None and start <= clock.met < end:
        return "met" if clock.due is None or clock.met <= clock.due else "breached"
    return None


def sla_tally(
    clocks: Iterable[SlaClock], *, start: dt.datetime, end: dt.datetime
) -> dict[tuple[str, str], tuple[int, int]]:
    """(met, breached) per (policy, target), over the clocks whose outcome fell in the
    period."""
    tally: dict[tuple[str, str], tuple[int, int]] = {}
    for clock in clocks:
        outcome = sla_outcome(clock, start=start, end=end)
        if outcome is None:
            continue
        met, breached = tally.get((clock.policy, clock.target), (0, 0))
        tally[(clock.policy, clock.target)] = (
            (met + 1, breached) if outcome == "met" else (met, breached + 1)
        )
    return tally


def sla_compliance(
    clocks: Iterable[SlaClock], *, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """SLA compliance per target, all policies together: among the clocks whose outcome
    fell in the period, the share met by their due time."""
    totals = {target: [0, 0] for target in SLA_TARGETS}
    for (_, target), (met, breached) in sla_tally(clocks, start=start, end=end).items():
        totals[target][0] += met
        totals[target][1] += breached
    return {
        target: {"met": met, "breached": breached, "rate": _round(share(met, met + breached))}
        for target, (met, breached) in totals.items()
    }


def backlog(ages_hours: Sequence[float]) -> dict[str, Any]:
    """Tickets neither solved nor closed at the end of the period, and their age then."""
    return {"backlog_end": len(ages_hours), "backlog_age_hours": distribution(ages_hours).as_dict()}


def retention(
    purchases: Sequence[Purchase], *, start: dt.datetime, end: dt.datetime, window_days: int
) -> dict[str, Any]:
    """Existing customers (a purchase within the lifecycle window) at the start of the
    period who are still existing at its end: the retention rate; churn is the rest."""
    window = dt.timedelta(days=window_days)
    at_start = {p.customer_id for p in purchases if start - window <= p.at < start}
    at_end = {p.customer_id for p in purchases if end - window <= p.at < end}
    kept = len(at_start & at_end)
    rate = share(kept, len(at_start))
    return {
        "existing_at_start": len(at_start),
        "retained": kept,
        "retention_rate": _round(rate),
        "churn_rate": _round(None if rate is None else 1 - rate),
    }


def lifetime_value(purchases: Sequence[Purchase], *, end: dt.datetime) -> dict[str, Any]:
    """Historical customer lifetime value: per currency, what a customer who bought
    before the end of the period has spent in all, on average."""
    spent: dict[str, dict[int, float]] = {}
    for p in purchases:
        if p.at < end:
            per_customer = spent.setdefault(p.currency, {})
            per_customer[p.customer_id] = per_customer.get(p.customer_id, 0.0) + p.amount
    return {
        currency: {"customers": len(totals), "mean": round(statistics.fmean(totals.values()), 2)}
        for currency, totals in sorted(spent.items())
    }


@dataclass
class KpiInput:
    """Everything a KPI report is computed from (the selectors fill it)."""

    period: Period
    created: list[CreatedTicket] = field(default_factory=list)
    solved: list[SolvedTicket] = field(default_factory=list)
    csat_scores: list[int] = field(default_factory=list)
    nps_scores: list[int] = field(default_factory=list)
    ces_scores: list[int] = field(default_factory=list)
    invitations: dict[str, Invitations] = field(default_factory=dict)  # by survey kind
    sla_clocks: list[SlaClock] = field(default_factory=list)
    backlog_ages_hours: list[float] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)
    lifecycle_window_days: int = 365


def kpi_report(data: KpiInput) -> dict[str, Any]:
    """The KPI report of a period, as `caredesk report kpis --json` prints it."""
    period = data.period
    return {
        "period": {
            "from": period.date_from.isoformat(),
            "to": period.date_to.isoformat(),
            "tz": period.tz,
        },
        **volume(data.created),
        **first_response(data.created),
        **resolution(data.solved),
        "csat": csat(data.csat_scores, data.invitations.get("csat", Invitations())),
        "nps": nps(data.nps_scores, data.invitations.get("nps", Invitations())),
        "ces": ces(data.ces_scores, data.invitations.get("ces", Invitations())),
        "sla": sla_compliance(data.sla_clocks, start=period.start, end=period.end),
        **backlog(data.backlog_ages_hours),
        **retention(
            data.purchases,
            start=period.start,
            end=period.end,
            window_days=data.lifecycle_window_days,
        ),
        "lifetime_value": lifetime_value(data.purchases, end=period.end),
    }


def flatten(report: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """The report as (name, value) rows for CSV and spreadsheets: nested names joined
    with dots (csat.percent_satisfied, by_channel.email)."""
    rows: list[tuple[str, Any]] = []
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows += flatten(value, prefix=f"{name}.")
        else:
            rows.append((name, value))
    return rows


def _counts(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _percent(part: int, whole: int) -> float | None:
    value = share(part, whole)
    return None if value is None else _round(100 * value)


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)
