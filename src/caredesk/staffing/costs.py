"""Cost of staff against the cost of customers' waiting. Pure: no Django.

For each number of agents N in an interval: staff cost = N * cost per agent-hour *
interval hours; waiting cost = contacts * ASA (minutes) * value lost per minute of wait,
plus, with a patience (Erlang A), contacts * abandonment * value lost per abandoned
contact. The curve shows both and their sum; the best N minimises the sum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from caredesk.staffing.erlang import StaffingInputError, erlang_a, erlang_c, traffic


@dataclass(frozen=True)
class CostPoint:
    agents: int
    staff_cost: float
    waiting_cost: float
    total: float
    service_level: float
    asa_seconds: float | None


@dataclass(frozen=True)
class CostCurve:
    points: list[CostPoint]
    best: CostPoint


def cost_curve(
    *,
    volume: float,
    interval_seconds: float,
    aht: float,
    target_seconds: float,
    cost_per_agent_hour: float,
    wait_cost_per_minute: float,
    patience: float | None = None,
    abandon_cost: float = 0.0,
    span: int = 30,
) -> CostCurve:
    """The total cost from the least stable staffing (or 1 agent with Erlang A) up to
    ``span`` agents more."""
    for name, value in (
        ("cost per agent-hour", cost_per_agent_hour),
        ("value of a minute of waiting", wait_cost_per_minute),
        ("value of an abandoned contact", abandon_cost),
    ):
        if not math.isfinite(value) or value < 0:
            raise StaffingInputError(f"{name} must be zero or more")
    a = traffic(volume=volume, interval_seconds=interval_seconds, aht=aht)
    first = 1 if patience is not None else math.floor(a) + 1
    hours = interval_seconds / 3600
    points = []
    for n in range(first, first + span + 1):
        if patience is not None:
            ra = erlang_a(
                traffic=a, agents=n, aht=aht, patience=patience, target_seconds=target_seconds
            )
            asa, level = ra.asa_seconds, ra.service_level
            answered = volume * (1 - ra.abandon_probability)
            waiting = answered * (asa or 0) / 60 * wait_cost_per_minute
            waiting += volume * ra.abandon_probability * abandon_cost
        else:
            rc = erlang_c(traffic=a, agents=n, aht=aht, target_seconds=target_seconds)
            asa, level = rc.asa_seconds, rc.service_level
            waiting = volume * (asa or 0) / 60 * wait_cost_per_minute
        staff = n * cost_per_agent_hour * hours
        points.append(
            CostPoint(n, round(staff, 2), round(waiting, 2), round(staff + waiting, 2), level, asa)
        )
    best = min(points, key=lambda p: (p.total, p.agents))
    return CostCurve(points=points, best=best)
