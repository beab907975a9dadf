"""SLA compliance: which clocks were met in time and which breached in a period (the
outcome is the KPI module's definition, analytics.kpis.sla_outcome)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from caredesk.analytics.kpis import SlaClock, sla_tally
from caredesk.sla.models import TARGETS, SlaPolicy, TicketSla


def sla_clocks_settled(
    *, start: dt.datetime, end: dt.datetime, tickets: dict[str, object] | None = None
) -> list[SlaClock]:
    """Every clock whose outcome may fall in [start, end): met or breached in it (the
    KPI module decides; see analytics.kpis.sla_outcome); ``tickets`` narrows them
    (e.g. {"ticket__team_id": 3})."""
    return [clock for _, _, clock in sla_clocks_by_ticket(start=start, end=end, tickets=tickets)]


def sla_clocks_by_ticket(
    *, start: dt.datetime, end: dt.datetime, tickets: dict[str, object] | None = None
) -> list[tuple[int | None, str, SlaClock]]:
    """sla_clocks_settled with each clock's ticket's team id and channel."""
    clocks: list[tuple[int | None, str, SlaClock]] = []
    for target in TARGETS:
        due, met, breached = f"{target}_due", f"{target}_met", f"{target}_breached"
        rows = TicketSla.objects.filter(
            Q(**{f"{met}__gte": start, f"{met}__lt": end})
            | Q(**{f"{breached}__gte": start, f"{breached}__lt": end}),
            **(tickets or {}),
        ).values_list("ticket__team_id", "ticket__channel", "policy__name", due, met, breached)
        clocks += [(team, channel, SlaClock(policy, target, d, m, b))
                   for team, channel, policy, d, m, b in rows]  # fmt: skip
    return clocks


@dataclass(frozen=True)
class Compliance:
    policy: str
    target: str
    due: int  # clocks that ran out or were met in the period
    met: int  # met by their due time
    breached: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.due, 2) if self.due else None


def sla_compliance(*, start: dt.datetime, end: dt.datetime) -> list[Compliance]:
    """Per policy and target, among the clocks whose outcome fell in [start, end): how
    many were met by their due time and how many breached (analytics.kpis.sla_outcome)."""
    tally = sla_tally(sla_clocks_settled(start=start, end=end), start=start, end=end)
    out = []
    for name in SlaPolicy.objects.order_by("position", "id").values_list("name", flat=True):
        for target in TARGETS:
            met, breached = tally.get((name, target), (0, 0))
            out.append(Compliance(name, target, met + breached, met, breached))
    return out
