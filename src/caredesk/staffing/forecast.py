"""Forecast contact volume per interval from history. Pure: no Django.

Two methods, always both, so a planner can see whether the model earns its keep:
- seasonal naive: each interval as the same interval one week earlier;
- Holt-Winters (statsmodels' exponential smoothing): additive damped trend and an
  additive weekly season (a week of intervals holds the daily pattern too).
Accuracy is measured on a holdout (the last week of history, which neither method sees
when it is scored): WAPE = Σ|actual - forecast| / Σ actual, and MAPE over the intervals
with contacts. The recommended method is the one with the lower WAPE.

Holidays: their intervals in the history are replaced by the same interval a week
earlier before anything is fitted (so one quiet Christmas does not bend next week), and
forecast intervals that fall on a holiday are marked.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


class ForecastError(ValueError):
    """Not enough or unusable history."""


@dataclass(frozen=True)
class Accuracy:
    wape: float | None
    mape: float | None


@dataclass(frozen=True)
class Forecast:
    values: list[float]  # the recommended method's forecast, one per interval
    method: str  # "holt_winters" or "seasonal_naive"
    holt_winters: list[float] | None
    seasonal_naive: list[float]
    accuracy: dict[str, Accuracy]
    holiday: list[bool]  # per forecast interval
    note: str = ""


def accuracy(actual: NDArray[np.float64], predicted: NDArray[np.float64]) -> Accuracy:
    total = float(np.sum(actual))
    wape = float(np.sum(np.abs(actual - predicted)) / total) if total > 0 else None
    busy = actual > 0
    mape = (
        float(np.mean(np.abs(actual[busy] - predicted[busy]) / actual[busy]))
        if busy.any()
        else None
    )
    return Accuracy(wape=wape, mape=mape)


def _without_holidays(
    history: NDArray[np.float64], holidays: NDArray[np.bool_], season: int
) -> NDArray[np.float64]:
    clean = history.copy()
    for i in np.flatnonzero(holidays):
        j = i - season
        while j >= 0 and holidays[j]:
            j -= season
        if j >= 0:
            clean[i] = clean[j]
        else:  # no earlier week: the next ordinary week instead
            k = i + season
            while k < len(clean) and holidays[k]:
                k += season
            if k < len(clean):
                clean[i] = history[k]
    return clean


def seasonal_naive(history: NDArray[np.float64], season: int, horizon: int) -> NDArray[np.float64]:
    last = history[-season:]
    reps = int(np.ceil(horizon / season))
    return np.tile(last, reps)[:horizon]


def holt_winters(history: NDArray[np.float64], season: int, horizon: int) -> NDArray[np.float64]:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    model = ExponentialSmoothing(
        history,
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=season,
        initialization_method="estimated",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; accuracy is measured instead
        fitted = model.fit(optimized=True)
    out: NDArray[np.float64] = np.clip(
        np.asarray(fitted.forecast(horizon), dtype=np.float64), 0, None
    )
    return out


def forecast(
    history: list[float],
    *,
    season: int,
    horizon: int,
    history_holidays: list[bool] | None = None,
    horizon_holidays: list[bool] | None = None,
) -> Forecast:
    """Forecast ``horizon`` intervals after ``history`` (volumes per interval, oldest
    first, whole weeks of ``season`` intervals)."""
    if season < 2 or horizon < 1:
        raise ForecastError("the season and the horizon must be positive")
    data = np.asarray(history, dtype=np.float64)
    if len(data) < season:
        raise ForecastError(f"at least one week of history is needed ({season} intervals)")
    if np.any(~np.isfinite(data)) or np.any(data < 0):
        raise ForecastError("volumes must be finite and not negative")
    holidays = np.asarray(history_holidays or [False] * len(data), dtype=bool)
    if len(holidays) != len(data):
        raise ForecastError("one holiday flag per history interval")
    data = _without_holidays(data, holidays, season)
    marks = list(horizon_holidays or [False] * horizon)
    naive = seasonal_naive(data, season, horizon)
    scores: dict[str, Accuracy] = {}
    if len(data) >= 2 * season:
        train, test = data[:-season], data[-season:]
        scores["seasonal_naive"] = accuracy(test, seasonal_naive(train, season, season))
    if len(data) < 3 * season:
        note = (
            "Holt-Winters needs three weeks of history (two to fit, one to score); "
            "seasonal naive only."
        )
        return Forecast(
            naive.round(3).tolist(),
            "seasonal_naive",
            None,
            naive.round(3).tolist(),
            scores,
            marks,
            note,
        )
    scores["holt_winters"] = accuracy(test, holt_winters(train, season, season))
    hw = holt_winters(data, season, horizon)
    hw_wape = scores["holt_winters"].wape
    naive_wape = scores["seasonal_naive"].wape
    better = hw_wape is not None and naive_wape is not None and hw_wape < naive_wape
    chosen = hw if better else naive
    return Forecast(
        values=chosen.round(3).tolist(),
        method="holt_winters" if better else "seasonal_naive",
        holt_winters=hw.round(3).tolist(),
        seasonal_naive=naive.round(3).tolist(),
        accuracy=scores,
        holiday=marks,
    )
