"""A schedule that covers a staffing requirement at least cost (OR-Tools CP-SAT).
Pure: no Django.

Time is cut into slots (15, 30 or 60 minutes) per day. A shift template says where a
shift may start, how many slots it lasts and where its break is; an agent has a weekly
limit of minutes, an hourly cost and the days they can work. The solver picks at most
one shift per agent per day so that

    minimise  Σ shift cost  +  SHORT_PENALTY * Σ missing agent-slots
              +  OVER_PENALTY * Σ surplus agent-slots

with the penalties such that covering a missing slot is always worth more than any
shift costs, and surplus is only a tie-breaker. Coverage gaps and over-staffing per slot
are reported, as is whether the solution is proven optimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SHORT_WEIGHT = 1000  # a missing agent-slot costs this many times the cheapest slot
OVER_WEIGHT = 1  # per surplus agent-slot, in hundredths of the cheapest slot


@dataclass(frozen=True)
class Template:
    name: str
    start_slots: list[int]  # slot of the day a shift may start at
    length_slots: int
    break_offset: int | None = None  # slot within the shift that is a break
    break_slots: int = 0
    days: list[int] = field(default_factory=list)  # day indexes allowed; empty = all


@dataclass(frozen=True)
class Agent:
    id: int
    name: str
    max_minutes: int  # over the whole horizon
    cost_per_hour: float
    days: list[int] = field(default_factory=list)  # empty = all


@dataclass(frozen=True)
class Shift:
    agent_id: int
    day: int
    template: str
    start_slot: int
    end_slot: int  # exclusive
    break_start: int | None
    break_end: int | None


@dataclass(frozen=True)
class ScheduleResult:
    status: str  # "optimal", "feasible", "infeasible"
    shifts: list[Shift]
    coverage: list[list[int]]  # [day][slot]
    short: list[list[int]]
    over: list[list[int]]
    cost: float


def _covered(t: Template, start: int) -> list[int]:
    slots = list(range(start, start + t.length_slots))
    if t.break_offset is not None and t.break_slots:
        off = set(range(start + t.break_offset, start + t.break_offset + t.break_slots))
        slots = [s for s in slots if s not in off]
    return slots


def schedule(
    requirement: list[list[int]],
    templates: list[Template],
    agents: list[Agent],
    *,
    slot_minutes: int,
    time_limit_seconds: float = 10.0,
) -> ScheduleResult:
    """Cover ``requirement[day][slot]`` agents with shifts from ``templates``."""
    from ortools.sat.python import cp_model

    days = len(requirement)
    slots = len(requirement[0]) if days else 0
    if any(len(row) != slots for row in requirement):
        raise ValueError("every day needs the same number of slots")
    model = cp_model.CpModel()
    slot_cost = [round(a.cost_per_hour * slot_minutes / 60 * 100) for a in agents]  # cents
    cheapest = max(1, min(slot_cost) if slot_cost else 1)
    choices: list[tuple[int, int, Template, int, cp_model.IntVar]] = []
    covering: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for ai, agent in enumerate(agents):
        minutes = []
        for day in range(days):
            if agent.days and day % 7 not in agent.days:
                continue
            today = []
            for t in templates:
                if t.days and day % 7 not in t.days:
                    continue
                for start in t.start_slots:
                    if start < 0 or start + t.length_slots > slots:
                        continue
                    x = model.new_bool_var(f"a{agent.id}_d{day}_{t.name}_{start}")
                    choices.append((ai, day, t, start, x))
                    today.append(x)
                    minutes.append((x, (t.length_slots - t.break_slots) * slot_minutes))
                    for s in _covered(t, start):
                        covering.setdefault((day, s), []).append(x)
            if today:
                model.add_at_most_one(today)
        if minutes:
            model.add(sum(m * x for x, m in minutes) <= agent.max_minutes)
    short, over, cost_terms = {}, {}, []
    for day in range(days):
        for s in range(slots):
            need = max(0, int(requirement[day][s]))
            have = sum(covering.get((day, s), []))
            short[day, s] = model.new_int_var(0, need, f"short_{day}_{s}")
            over[day, s] = model.new_int_var(0, len(agents), f"over_{day}_{s}")
            model.add(have + short[day, s] - over[day, s] == need)
    for ai, _day, t, _start, x in choices:
        cost_terms.append(slot_cost[ai] * (t.length_slots - t.break_slots) * x)
    model.minimize(
        sum(cost_terms)
        + SHORT_WEIGHT * cheapest * sum(short.values())
        + OVER_WEIGHT * sum(over.values())
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 1
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        empty = [[0] * slots for _ in range(days)]
        return ScheduleResult("infeasible", [], empty, [list(r) for r in requirement], empty, 0.0)
    shifts = []
    total = 0.0
    for ai, day, t, start, x in choices:
        if solver.boolean_value(x):
            b0 = start + t.break_offset if t.break_offset is not None and t.break_slots else None
            shifts.append(
                Shift(
                    agent_id=agents[ai].id,
                    day=day,
                    template=t.name,
                    start_slot=start,
                    end_slot=start + t.length_slots,
                    break_start=b0,
                    break_end=b0 + t.break_slots if b0 is not None else None,
                )
            )
            total += slot_cost[ai] * (t.length_slots - t.break_slots) / 100
    coverage = [[0] * slots for _ in range(days)]
    for shift in shifts:
        t = next(t for t in templates if t.name == shift.template)
        for s in _covered(t, shift.start_slot):
            coverage[shift.day][s] += 1
    return ScheduleResult(
        status="optimal" if code == cp_model.OPTIMAL else "feasible",
        shifts=sorted(shifts, key=lambda s: (s.day, s.start_slot, s.agent_id)),
        coverage=coverage,
        short=[[solver.value(short[d, s]) for s in range(slots)] for d in range(days)],
        over=[[solver.value(over[d, s]) for s in range(slots)] for d in range(days)],
        cost=round(total, 2),
    )
