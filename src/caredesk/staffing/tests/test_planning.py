"""Forecast, schedule and cost curve: the pure planning modules, without a database."""

from __future__ import annotations

import numpy as np
import pytest

from caredesk.staffing.costs import cost_curve
from caredesk.staffing.erlang import StaffingInputError, erlang_c
from caredesk.staffing.forecast import ForecastError, accuracy, forecast
from caredesk.staffing.scheduling import Agent, Template, schedule

DAY = 24  # hourly slots keep the tests fast
WEEK = 7 * DAY


def weekly_pattern(weeks: int, noise: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(weeks * WEEK)
    hour, day = t % DAY, (t // DAY) % 7
    base = np.where((hour >= 8) & (hour < 18), 40.0, 4.0) * np.where(day >= 5, 0.4, 1.0)
    return np.maximum(0, base + rng.normal(0, noise, len(t)))


def test_wape_and_mape() -> None:
    acc = accuracy(np.array([10.0, 0.0, 30.0]), np.array([12.0, 1.0, 27.0]))
    assert acc.wape == pytest.approx(6 / 40)
    assert acc.mape == pytest.approx((0.2 + 0.1) / 2)  # the zero interval is left out


def test_holt_winters_beats_seasonal_naive_on_a_noisy_stable_pattern() -> None:
    history = weekly_pattern(5, noise=4)
    result = forecast(history.tolist(), season=WEEK, horizon=WEEK)
    assert result.method == "holt_winters"
    hw, naive = result.accuracy["holt_winters"], result.accuracy["seasonal_naive"]
    assert hw.wape is not None
    assert naive.wape is not None
    assert hw.wape < naive.wape
    assert len(result.values) == WEEK
    assert min(result.values) >= 0
    truth = weekly_pattern(1, noise=0)
    assert accuracy(truth, np.array(result.values)).wape < 0.15  # type: ignore[operator]


def test_short_history_falls_back_to_seasonal_naive_and_says_so() -> None:
    history = weekly_pattern(2, noise=1)
    result = forecast(history.tolist(), season=WEEK, horizon=10)
    assert result.method == "seasonal_naive"
    assert result.holt_winters is None
    assert "three weeks" in result.note
    assert result.values == pytest.approx(history[-WEEK:][:10].round(3).tolist())


def test_holidays_are_left_out_of_the_history_and_marked_in_the_forecast() -> None:
    history = weekly_pattern(2, noise=0)
    holidays = [False] * len(history)
    monday_week2 = WEEK
    for i in range(monday_week2, monday_week2 + DAY):
        history[i] = 0  # a closed bank holiday
        holidays[i] = True
    marks = [True] * DAY + [False] * (WEEK - DAY)
    result = forecast(
        history.tolist(), season=WEEK, horizon=WEEK, history_holidays=holidays,
        horizon_holidays=marks,
    )  # fmt: skip
    assert result.values[9] == pytest.approx(40)  # not the holiday's zero
    assert result.holiday[:DAY] == [True] * DAY


@pytest.mark.parametrize("bad", [[], [-1.0] * WEEK, [float("nan")] * WEEK])
def test_unusable_history_is_refused(bad: list[float]) -> None:
    with pytest.raises(ForecastError):
        forecast(bad, season=WEEK, horizon=1)


def test_the_schedule_covers_the_requirement_at_least_cost() -> None:
    requirement = [[0] * 8 + [2] * 8 + [0] * 8 for _ in range(2)]  # 08:00-16:00, 2 agents
    templates = [Template("Day", start_slots=[7, 8, 9], length_slots=8)]
    cheap = Agent(1, "Cheap", max_minutes=2 * 8 * 60, cost_per_hour=20)
    also = Agent(2, "Also", max_minutes=2 * 8 * 60, cost_per_hour=25)
    dear = Agent(3, "Dear", max_minutes=2 * 8 * 60, cost_per_hour=60)
    result = schedule(requirement, templates, [cheap, also, dear], slot_minutes=60)
    assert result.status == "optimal"
    assert sum(map(sum, result.short)) == 0
    assert sum(map(sum, result.over)) == 0
    assert {s.agent_id for s in result.shifts} == {1, 2}  # never the dear one
    assert all(s.start_slot == 8 for s in result.shifts)
    assert result.cost == 2 * 8 * (20 + 25)


def test_gaps_are_reported_when_staff_run_out_and_contracts_are_respected() -> None:
    requirement = [[3] * 4]
    templates = [Template("Short", start_slots=[0], length_slots=4, break_offset=2, break_slots=1)]
    agents = [Agent(1, "Only", max_minutes=4 * 60, cost_per_hour=10)]
    result = schedule(requirement, templates, agents, slot_minutes=60)
    assert result.coverage == [[1, 1, 0, 1]]  # the break leaves slot 2 uncovered
    assert result.short == [[2, 2, 3, 2]]
    tired = [Agent(1, "Tired", max_minutes=60, cost_per_hour=10)]
    assert schedule(requirement, templates, tired, slot_minutes=60).shifts == []


def test_cost_curve_finds_the_cheapest_staffing() -> None:
    curve = cost_curve(
        volume=300, interval_seconds=1800, aht=240, target_seconds=20,
        cost_per_agent_hour=30, wait_cost_per_minute=1.5,
    )  # fmt: skip
    totals = [p.total for p in curve.points]
    assert curve.best.total == min(totals)
    i = [p.agents for p in curve.points].index(curve.best.agents)
    assert totals[i - 1] >= curve.best.total <= totals[i + 1]
    asa = erlang_c(traffic=40, agents=curve.best.agents, aht=240, target_seconds=20).asa_seconds
    assert curve.best.waiting_cost == pytest.approx(300 * (asa or 0) / 60 * 1.5, abs=0.01)
    with pytest.raises(StaffingInputError):
        cost_curve(
            volume=1, interval_seconds=900, aht=60, target_seconds=20,
            cost_per_agent_hour=-1, wait_cost_per_minute=1,
        )  # fmt: skip
