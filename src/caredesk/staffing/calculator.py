"""The staffing calculators as figures (dicts), shared by the CLI, the API and the page.
Inputs are exact fractions (decimal text as typed); pure, no Django."""

from __future__ import annotations

from dataclasses import asdict
from fractions import Fraction
from typing import Any

from caredesk.staffing.erlang import (
    StaffingInputError,
    Targets,
    erlang_a,
    erlang_b,
    erlang_b_servers,
    erlang_c,
    required_agents,
    scheduled_staff,
    traffic,
)

DEFAULT_LEVEL = Fraction(4, 5)


def _traffic(volume: Fraction, interval: Fraction, aht: Fraction) -> tuple[float, Fraction]:
    a = traffic(volume=float(volume), interval_seconds=float(interval), aht=float(aht))
    return a, volume * aht / interval


def whole(name: str, value: Fraction) -> int:
    if value.denominator != 1 or value < 0:
        raise StaffingInputError(f"{name} must be a whole number, zero or more")
    return int(value)


def _opt(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def erlang_c_figures(
    *, volume: Fraction, interval_seconds: Fraction, aht: Fraction, agents: Fraction,
    target_seconds: Fraction,
) -> dict[str, Any]:  # fmt: skip
    a, _ = _traffic(volume, interval_seconds, aht)
    result = erlang_c(
        traffic=a, agents=whole("agents", agents), aht=float(aht),
        target_seconds=float(target_seconds),
    )  # fmt: skip
    return asdict(result)


def erlang_a_figures(
    *, volume: Fraction, interval_seconds: Fraction, aht: Fraction, agents: Fraction,
    patience_seconds: Fraction, target_seconds: Fraction,
) -> dict[str, Any]:  # fmt: skip
    a, _ = _traffic(volume, interval_seconds, aht)
    result = erlang_a(
        traffic=a, agents=whole("agents", agents), aht=float(aht),
        patience=float(patience_seconds), target_seconds=float(target_seconds),
    )  # fmt: skip
    return asdict(result)


def erlang_b_figures(
    *, load: Fraction, servers: Fraction | None, max_blocking: Fraction | None
) -> dict[str, Any]:
    if (servers is None) == (max_blocking is None):
        raise StaffingInputError("give either servers or a maximum blocking")
    if servers is not None:
        return {"blocking_probability": erlang_b(float(load), whole("servers", servers))}
    assert max_blocking is not None
    n, blocking = erlang_b_servers(float(load), float(max_blocking))
    return {"servers": n, "blocking_probability": blocking}


def required_figures(
    *, volume: Fraction, interval_seconds: Fraction, aht: Fraction, target_seconds: Fraction,
    target_level: Fraction | None = None, target_asa: Fraction | None = None,
    patience_seconds: Fraction | None = None, max_abandon: Fraction | None = None,
    max_occupancy: Fraction | None = None, shrinkage: Fraction | None = None,
    concurrency: Fraction | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The least agents meeting every target (service level 80 % unless given), the
    staff to schedule for them, and the figures at that number of agents.

    ``concurrency``: contacts one agent handles at once (chat). Each agent is then that
    many servers of the queue, the AHT being a chat's whole length as measured (with
    the agent's other chats going on), so the agents are the servers needed divided by
    the concurrency, rounded up; the figures are those of the servers."""
    if max_abandon is not None and patience_seconds is None:
        raise StaffingInputError("a maximum abandonment needs a patience (Erlang A)")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise StaffingInputError("maximum occupancy must be above 0 and at most 1")
    per_agent = whole("concurrency", concurrency) if concurrency is not None else 1
    if per_agent < 1:
        raise StaffingInputError("concurrency must be 1 or more")
    a, exact = _traffic(volume, interval_seconds, aht)
    targets = Targets(
        target_seconds=float(target_seconds),
        service_level=float(DEFAULT_LEVEL if target_level is None else target_level),
        asa_seconds=_opt(target_asa),
        max_abandon=_opt(max_abandon),
        max_occupancy=_opt(max_occupancy),
    )
    n, result = required_agents(
        traffic=a, aht=float(aht), targets=targets, patience=_opt(patience_seconds),
        exact_traffic=exact,
    )  # fmt: skip
    figures = asdict(result)
    keys = ["traffic_erlangs", "wait_probability", "service_level", "asa_seconds", "occupancy"]
    if patience_seconds is not None:
        keys.append("abandon_probability")
    agents = -(-n // per_agent)
    return {
        "agents": agents,
        "scheduled_staff": scheduled_staff(agents, shrinkage or Fraction(0)),
        "concurrency": per_agent,
        "servers": n,
        **{k: figures[k] for k in keys},
    }
