"""The service KPIs, each defined once: every report, screen, export and API computes its
figures through these functions (docs/kpis.md says the same in words).

Framework-free. The selectors turn the database into the plain facts below; the
functions here turn facts into figures. Rates are fractions from 0 to 1; percentages
(CSAT, NPS) are from 0 to 100, as service managers quote them. A figure over nothing
(no tickets, no responses) is None, never 0.
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyroaring import BitMap64

from caredesk.core.periods import micros

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


@dataclass(frozen=True)
class CreatedTicket:
    """A ticket created in the period, as the volume and response measures see it.
    Durations are whole microseconds, so that every path adds them up the same way."""

    id: int
    created_at: dt.datetime
    channel: str
    type: str
    team: str | None
    requester_id: int
    first_response_at: dt.datetime | None  # the first public agent message after the customer's
    first_response_us: int | None = None
    first_response_business_us: int | None = None  # where its SLA has a calendar


@dataclass(frozen=True)
class SolvedTicket:
    """A ticket first solved (or closed) in the period."""

    id: int
    created_at: dt.datetime
    first_solved_at: dt.datetime
    agent_replies_before_solved: int  # public agent messages up to the first solve
    reopened: bool  # went from solved back to an open status at least once
    assignee: str | None = None
    resolution_us: int | None = None  # creation to the first solve


# Durations are counted in buckets that double in size every two steps (bucket b holds
# EDGES[b] <= value < EDGES[b + 1]; the first also holds zero and anything negative).
# The buckets say where the median lies; the exact value is then looked up (NthValue).
EDGES: tuple[int, ...] = (-(2**62), *(int((2 ** (k / 2) - 1) * 1_000_000) for k in range(1, 64)))


def bucket_of(us: int) -> int:
    return bisect.bisect_right(EDGES, us) - 1


def bucket_bounds(bucket: int) -> tuple[int | None, int | None]:
    """[low, high) of a bucket; None for an open end."""
    low = EDGES[bucket] if bucket > 0 else None
    high = EDGES[bucket + 1] if bucket + 1 < len(EDGES) else None
    return low, high


NthValue = Callable[[int, int], int]  # (bucket, k) -> the k-th smallest value in the bucket


@dataclass
class Hist:
    """Durations (microseconds) that add up: how many, their sum, how many per bucket;
    with ``values`` (when counted from the records) also the values themselves; with
    ``median_us`` (a month's rollup) its exact median, good until something is added."""

    count: int = 0
    total: int = 0
    buckets: Counter[int] = field(default_factory=Counter)
    values: dict[int, list[int]] | None = None
    median_us: float | None = None

    def add(self, us: int) -> None:
        self.count += 1
        self.total += us
        b = bucket_of(us)
        self.buckets[b] += 1
        self.median_us = None
        if self.values is not None:
            self.values.setdefault(b, []).append(us)

    def merge(self, other: Hist) -> None:
        if self.count and other.count:
            self.median_us = None
        elif other.count:
            self.median_us = other.median_us
        self.count += other.count
        self.total += other.total
        self.buckets.update(other.buckets)
        if self.values is not None and other.values is not None:
            for b, values in other.values.items():
                self.values.setdefault(b, []).extend(values)
        else:
            self.values = None

    def nth(self, rank: int, lookup: NthValue | None) -> int:
        """The value of the given rank (0 = the smallest)."""
        seen = 0
        for b in sorted(self.buckets):
            n = self.buckets[b]
            if rank < seen + n:
                if self.values is not None:
                    return sorted(self.values[b])[rank - seen]
                if lookup is None:
                    raise ValueError("no lookup for a value of a rolled-up distribution")
                return lookup(b, rank - seen)
            seen += n
        raise IndexError(rank)

    def median(self, lookup: NthValue | None = None) -> float | None:
        """The exact median in microseconds (the mean of the two middle values)."""
        if not self.count:
            return None
        if self.median_us is not None and self.values is None:
            return self.median_us
        low, high = (self.count - 1) // 2, self.count // 2
        first = self.nth(low, lookup)
        second = first if high == low else self.nth(high, lookup)
        return (first + second) / 2

    def distribution(self, lookup: NthValue | None = None, unit: int = 60_000_000) -> Distribution:
        """Count, median and mean in ``unit`` (minutes by default)."""
        median = self.median(lookup)
        if median is None:
            return Distribution(0, None, None)
        return Distribution(self.count, median / unit, self.total / self.count / unit)

    def as_json(self) -> list[Any]:
        buckets = {str(b): n for b, n in sorted(self.buckets.items())}
        median = [] if self.median_us is None else [self.median_us]
        return [self.count, self.total, buckets, *median]

    @classmethod
    def from_json(cls, data: list[Any]) -> Hist:
        buckets = Counter({int(b): n for b, n in data[2].items()})
        return cls(data[0], data[1], buckets, median_us=data[3] if len(data) > 3 else None)


def exact_hist() -> Hist:
    return Hist(values={})


MEASURED = ("first_response", "first_response_business", "resolution")


@dataclass
class Tally:
    """What the ticket and survey measures of a stretch of time are computed from, in a
    form that adds up: the tally of a period is the sum of its days' tallies (the daily
    rollups store them)."""

    created: int = 0
    requesters: BitMap64 = field(default_factory=BitMap64)  # who asked (customer ids)
    by_channel: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)
    by_team: Counter[str] = field(default_factory=Counter)
    complaints: int = 0
    first_response: Hist = field(default_factory=exact_hist)
    first_response_business: Hist = field(default_factory=exact_hist)
    solved: int = 0
    resolution: Hist = field(default_factory=exact_hist)
    fcr: int = 0
    reopened: int = 0
    by_assignee: Counter[str] = field(default_factory=Counter)
    scores: dict[str, Counter[int]] = field(default_factory=dict)  # kind -> score -> n
    invitations: dict[str, list[int]] = field(default_factory=dict)  # kind -> [sent, answered]
    sla: dict[str, list[int]] = field(default_factory=dict)  # "policy\ttarget" -> [met, breached]

    def add_created(self, t: CreatedTicket) -> None:
        self.created += 1
        self.requesters.add(t.requester_id)
        self.by_channel[t.channel] += 1
        self.by_type[t.type] += 1
        self.by_team[t.team or NO_TEAM] += 1
        self.complaints += t.type == COMPLAINT
        if t.first_response_us is not None:
            self.first_response.add(t.first_response_us)
        if t.first_response_business_us is not None:
            self.first_response_business.add(t.first_response_business_us)

    def add_solved(self, t: SolvedTicket) -> None:
        self.solved += 1
        self.resolution.add(
            t.resolution_us
            if t.resolution_us is not None
            else micros(t.created_at, t.first_solved_at)
        )
        self.fcr += t.agent_replies_before_solved == 1 and not t.reopened
        self.reopened += t.reopened
        self.by_assignee[t.assignee or UNASSIGNED] += 1

    def add_scores(self, kind: str, scores: Iterable[int]) -> None:
        self.scores.setdefault(kind, Counter()).update(scores)

    def add_invitations(self, kind: str, sent: int, answered: int) -> None:
        _add_pair(self.invitations, kind, sent, answered)

    def add_sla(self, tally: Mapping[tuple[str, str], tuple[int, int]]) -> None:
        for (policy, target), (met, breached) in tally.items():
            _add_pair(self.sla, f"{policy}\t{target}", met, breached)

    def merge(self, other: Tally) -> None:
        self.created += other.created
        self.requesters |= other.requesters
        self.complaints += other.complaints
        self.solved += other.solved
        self.fcr += other.fcr
        self.reopened += other.reopened
        for mine, theirs in self._counters(other):
            mine.update(theirs)
        for name in MEASURED:
            getattr(self, name).merge(getattr(other, name))
        for kind, scores in other.scores.items():
            self.scores.setdefault(kind, Counter()).update(scores)
        for kind, (sent, answered) in other.invitations.items():
            _add_pair(self.invitations, kind, sent, answered)
        for key, (met, breached) in other.sla.items():
            _add_pair(self.sla, key, met, breached)

    def _counters(self, other: Tally) -> list[tuple[Counter[str], Counter[str]]]:
        return [(self.by_channel, other.by_channel), (self.by_type, other.by_type),
                (self.by_team, other.by_team), (self.by_assignee, other.by_assignee)]  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created, "complaints": self.complaints, "solved": self.solved,
            "fcr": self.fcr, "reopened": self.reopened,
            "by_channel": dict(self.by_channel), "by_type": dict(self.by_type),
            "by_team": dict(self.by_team), "by_assignee": dict(self.by_assignee),
            **{name: getattr(self, name).as_json() for name in MEASURED},
            "scores": {k: {str(s): n for s, n in c.items()} for k, c in self.scores.items()},
            "invitations": self.invitations, "sla": self.sla,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any], requesters: bytes = b"") -> Tally:
        """The tally as_json gave, with the requesters' bitmap (serialized) beside it."""
        return cls(
            created=data["created"], complaints=data["complaints"], solved=data["solved"],
            requesters=BitMap64.deserialize(requesters) if requesters else BitMap64(),
            fcr=data["fcr"], reopened=data["reopened"],
            by_channel=Counter(data["by_channel"]), by_type=Counter(data["by_type"]),
            by_team=Counter(data["by_team"]), by_assignee=Counter(data["by_assignee"]),
            **{name: Hist.from_json(data[name]) for name in MEASURED},
            scores={k: Counter({int(s): n for s, n in c.items()})
                    for k, c in data["scores"].items()},
            invitations={k: list(v) for k, v in data["invitations"].items()},
            sla={k: list(v) for k, v in data["sla"].items()},
        )  # fmt: skip


def _add_pair(pairs: dict[str, list[int]], key: str, first: int, second: int) -> None:
    counts = pairs.setdefault(key, [0, 0])
    counts[0] += first
    counts[1] += second


NO_TEAM = "(no team)"
UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class SlaClock:
    """One SLA target (first_response, next_response, resolution) of one ticket."""

    policy: str
    target: str
    due: dt.datetime | None
    met: dt.datetime | None
    breached: dt.datetime | None  # when a check recorded that it ran out


@dataclass
class Period:
    start: dt.datetime  # inclusive, UTC
    end: dt.datetime  # exclusive, UTC
    date_from: dt.date
    date_to: dt.date
    tz: str


def volume(tally: Tally) -> dict[str, Any]:
    """Tickets created in the period, in all and by channel, type and team; contacts per
    customer (tickets per distinct requester) and the complaint rate (type complaint)."""
    return {
        "tickets_created": tally.created,
        "by_channel": _sorted(tally.by_channel),
        "by_type": _sorted(tally.by_type),
        "by_team": _sorted(tally.by_team),
        "contacts_per_customer": _round(share(tally.created, len(tally.requesters))),
        "complaint_rate": _round(share(tally.complaints, tally.created)),
    }


Lookups = Mapping[str, NthValue]  # per measure (MEASURED), for rolled-up distributions


def first_response(tally: Tally, lookups: Lookups | None = None) -> dict[str, Any]:
    """From creation to the first public agent message, for tickets created in the
    period that have one: calendar minutes, and business minutes where the ticket's SLA
    policy has a calendar."""
    lookups = lookups or {}
    return {
        "first_response_minutes": tally.first_response.distribution(
            lookups.get("first_response")
        ).as_dict(),
        "first_response_business_minutes": tally.first_response_business.distribution(
            lookups.get("first_response_business")
        ).as_dict(),
    }


def resolution(tally: Tally, lookups: Lookups | None = None) -> dict[str, Any]:
    """Tickets first solved in the period: resolution time (creation to first solve),
    first-contact resolution (solved after exactly one public agent message and never
    reopened) and reopen rate (reopened at least once)."""
    lookups = lookups or {}
    return {
        "tickets_solved": tally.solved,
        "resolution_minutes": tally.resolution.distribution(lookups.get("resolution")).as_dict(),
        "fcr_rate": _round(share(tally.fcr, tally.solved)),
        "reopen_rate": _round(share(tally.reopened, tally.solved)),
        "solved_by_agent": _sorted(tally.by_assignee),
    }


@dataclass(frozen=True)
class Invitations:
    """Surveys of one kind sent in the period (by email, or shown in the portal; failed
    deliveries left out) and how many of them were answered."""

    sent: int = 0
    answered: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"invitations": self.sent, "response_rate": _round(share(self.answered, self.sent))}


Scores = Mapping[int, int]  # score -> how many gave it


def _mean(scores: Scores) -> float | None:
    n = sum(scores.values())
    return _round(sum(s * k for s, k in scores.items()) / n) if n else None


def csat(scores: Scores, invitations: Invitations = Invitations()) -> dict[str, Any]:
    """CSAT (1-5): the percentage of 4 and 5 (satisfied), the mean, and the percentage
    of 5 alone (top box: "completely satisfied" is not "satisfied")."""
    n = sum(scores.values())
    satisfied = sum(k for s, k in scores.items() if s in CSAT_SATISFIED)
    top = scores.get(CSAT_TOP_BOX, 0)
    return {
        "responses": n,
        "percent_satisfied": _percent(satisfied, n),
        "mean": _mean(scores),
        "top_box_percent": _percent(top, n),
        **invitations.as_dict(),
    }


def nps(scores: Scores, invitations: Invitations = Invitations()) -> dict[str, Any]:
    """NPS (0-10): the percentage of promoters (9-10) minus that of detractors (0-6)."""
    n = sum(scores.values())
    promoters = sum(k for s, k in scores.items() if s in NPS_PROMOTERS)
    detractors = sum(k for s, k in scores.items() if s in NPS_DETRACTORS)
    score = None if not n else 100 * (promoters - detractors) / n
    return {
        "responses": n,
        "score": _round(score),
        "promoters_percent": _percent(promoters, n),
        "passives_percent": _percent(n - promoters - detractors, n),
        "detractors_percent": _percent(detractors, n),
        **invitations.as_dict(),
    }


def ces(scores: Scores, invitations: Invitations = Invitations()) -> dict[str, Any]:
    """CES (1-7): the mean effort score."""
    return {"responses": sum(scores.values()), "mean": _mean(scores), **invitations.as_dict()}


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
    return compliance(sla_tally(clocks, start=start, end=end))


def compliance(tally: Mapping[tuple[str, str], Sequence[int]]) -> dict[str, Any]:
    """(met, breached) per (policy, target) summed per target, with the rate met."""
    totals = {target: [0, 0] for target in SLA_TARGETS}
    for (_, target), (met, breached) in tally.items():
        totals[target][0] += met
        totals[target][1] += breached
    return {
        target: {"met": met, "breached": breached, "rate": _round(share(met, met + breached))}
        for target, (met, breached) in totals.items()
    }


def backlog(ages_hours: Distribution) -> dict[str, Any]:
    """Tickets neither solved nor closed at the end of the period, and their age then."""
    return {"backlog_end": ages_hours.count, "backlog_age_hours": ages_hours.as_dict()}


def retention(existing_at_start: int, retained: int) -> dict[str, Any]:
    """Existing customers (a purchase within the lifecycle window) at the start of the
    period who are still existing at its end: the retention rate; churn is the rest."""
    rate = share(retained, existing_at_start)
    return {
        "existing_at_start": existing_at_start,
        "retained": retained,
        "retention_rate": _round(rate),
        "churn_rate": _round(None if rate is None else 1 - rate),
    }


def lifetime_value(spent: Mapping[str, tuple[float, int]]) -> dict[str, Any]:
    """Historical customer lifetime value: per currency, what a customer who bought
    before the end of the period has spent in all, on average (``spent``: per currency
    the sum of purchases and the number of customers who made them)."""
    return {
        currency: {"customers": customers, "mean": round(total / customers, 2)}
        for currency, (total, customers) in sorted(spent.items())
        if customers
    }


@dataclass(frozen=True)
class ChatTimes:
    """One chat that asked for a person in the period: when it was queued, accepted by
    an agent, first answered by one, and whether it ended without an agent."""

    queued_at: dt.datetime
    accepted_at: dt.datetime | None
    first_reply_at: dt.datetime | None
    left_unanswered: bool  # ended (the visitor left) before any agent accepted it


def chat(chats: Sequence[ChatTimes]) -> dict[str, Any]:
    """Live chat: the chats queued for a person in the period, how many an agent took
    and how many the visitor left first, the wait from queued to accepted and the first
    response from queued to the first agent message (seconds)."""
    answered = [c for c in chats if c.accepted_at is not None]
    abandoned = sum(1 for c in chats if c.left_unanswered)
    return {
        "chat": {
            "offered": len(chats),
            "answered": len(answered),
            "abandoned": abandoned,
            "abandon_rate": _round(share(abandoned, len(chats))),
            "wait_seconds": distribution(
                max(0.0, (c.accepted_at - c.queued_at).total_seconds())
                for c in answered
                if c.accepted_at is not None
            ).as_dict(),
            "first_response_seconds": distribution(
                max(0.0, (c.first_reply_at - c.queued_at).total_seconds())
                for c in chats
                if c.first_reply_at is not None
            ).as_dict(),
        }
    }


@dataclass
class KpiInput:
    """Everything a KPI report is computed from (the selectors fill it)."""

    period: Period
    tally: Tally
    lookups: Lookups = field(default_factory=dict)  # for rolled-up distributions
    backlog_ages_hours: Distribution = field(default_factory=lambda: Distribution(0, None, None))
    existing_at_start: int = 0
    retained: int = 0
    spent: dict[str, tuple[float, int]] = field(default_factory=dict)
    chats: list[ChatTimes] = field(default_factory=list)


def kpi_report(data: KpiInput) -> dict[str, Any]:
    """The KPI report of a period, as `caredesk report kpis --json` prints it."""
    period, tally = data.period, data.tally
    invitations = {
        k: Invitations(sent, answered) for k, (sent, answered) in tally.invitations.items()
    }
    sla = {tuple(key.split("\t", 1)): counts for key, counts in tally.sla.items()}
    return {
        "period": {
            "from": period.date_from.isoformat(),
            "to": period.date_to.isoformat(),
            "tz": period.tz,
        },
        **volume(tally),
        **first_response(tally, data.lookups),
        **resolution(tally, data.lookups),
        **{kind: survey(tally.scores.get(kind, {}), invitations.get(kind, Invitations()))
           for kind, survey in SURVEYS.items()},
        "sla": compliance(sla),  # type: ignore[arg-type]
        **backlog(data.backlog_ages_hours),
        **retention(data.existing_at_start, data.retained),
        "lifetime_value": lifetime_value(data.spent),
        **chat(data.chats),
    }  # fmt: skip


SURVEYS = {"csat": csat, "nps": nps, "ces": ces}


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


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def _percent(part: int, whole: int) -> float | None:
    value = share(part, whole)
    return None if value is None else _round(100 * value)


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)
