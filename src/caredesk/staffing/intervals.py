"""Per-interval queue statistics from call records. Pure: no Django.

Definitions (for the calls *offered* in an interval, i.e. queued in it):
volume = offered; answered and abandoned counts; ASA = mean wait of the answered calls;
service level = answered within the target / offered (abandoned calls count as not
answered); abandonment = abandoned / offered; AHT = mean time from answer to end of the
answered calls that have ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CallTimes:
    queued_at: dt.datetime
    answered_at: dt.datetime | None = None
    abandoned_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


@dataclass(frozen=True)
class IntervalStats:
    start: dt.datetime
    offered: int
    answered: int
    abandoned: int
    answered_in_target: int
    handled: int  # answered and ended: the calls AHT is measured on
    aht_seconds: float | None
    asa_seconds: float | None
    service_level: float | None
    abandon_rate: float | None


def interval_starts(start: dt.datetime, end: dt.datetime, minutes: int) -> list[dt.datetime]:
    step = dt.timedelta(minutes=minutes)
    out, t = [], start
    while t < end:
        out.append(t)
        t += step
    return out


def interval_stats(
    calls: Iterable[CallTimes],
    *,
    start: dt.datetime,
    end: dt.datetime,
    interval_minutes: int,
    target_seconds: float,
) -> list[IntervalStats]:
    """One row per interval in [start, end), empty intervals included."""
    if interval_minutes <= 0:
        raise ValueError("interval_minutes must be positive")
    starts = interval_starts(start, end, interval_minutes)
    width = interval_minutes * 60
    offered = [0] * len(starts)
    answered = [0] * len(starts)
    abandoned = [0] * len(starts)
    in_target = [0] * len(starts)
    waits = [0.0] * len(starts)
    talk = [0.0] * len(starts)
    talked = [0] * len(starts)
    for call in calls:
        offset = (call.queued_at - start).total_seconds()
        if offset < 0 or call.queued_at >= end:
            continue
        i = int(offset // width)
        offered[i] += 1
        if call.answered_at is not None:
            wait = max(0.0, (call.answered_at - call.queued_at).total_seconds())
            answered[i] += 1
            waits[i] += wait
            if wait <= target_seconds:
                in_target[i] += 1
            if call.ended_at is not None:
                talk[i] += max(0.0, (call.ended_at - call.answered_at).total_seconds())
                talked[i] += 1
        elif call.abandoned_at is not None:
            abandoned[i] += 1
    return [
        IntervalStats(
            start=s,
            offered=offered[i],
            answered=answered[i],
            abandoned=abandoned[i],
            answered_in_target=in_target[i],
            handled=talked[i],
            aht_seconds=talk[i] / talked[i] if talked[i] else None,
            asa_seconds=waits[i] / answered[i] if answered[i] else None,
            service_level=in_target[i] / offered[i] if offered[i] else None,
            abandon_rate=abandoned[i] / offered[i] if offered[i] else None,
        )
        for i, s in enumerate(starts)
    ]


def totals(rows: list[IntervalStats]) -> IntervalStats | None:
    """The same figures over all the rows together (weighted, not averaged averages)."""
    if not rows:
        return None
    offered = sum(r.offered for r in rows)
    answered = sum(r.answered for r in rows)
    abandoned = sum(r.abandoned for r in rows)
    in_target = sum(r.answered_in_target for r in rows)
    wait = sum((r.asa_seconds or 0) * r.answered for r in rows)
    handled = sum(r.handled for r in rows)
    talk = sum((r.aht_seconds or 0) * r.handled for r in rows)
    return IntervalStats(
        start=rows[0].start,
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        answered_in_target=in_target,
        handled=handled,
        aht_seconds=talk / handled if handled else None,
        asa_seconds=wait / answered if answered else None,
        service_level=in_target / offered if offered else None,
        abandon_rate=abandoned / offered if offered else None,
    )
