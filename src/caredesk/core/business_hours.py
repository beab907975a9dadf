"""Business-hours calendars and business-time arithmetic. Pure: no Django.

A calendar has an IANA time zone, opening hours per weekday as local wall-clock ranges
(several a day: 08:00-12:00 and 13:00-17:00), and holidays by date. Business time is
real elapsed time while the calendar is open: an opening range that spans a DST change
lasts an hour more or less, exactly as the clock on the wall says.

Wall-clock edges that do not exist (in the spring-forward gap) open or close at the
moment the clocks jump; edges that occur twice (fall-back) take the earlier moment for
an opening and the later one for a closing. A range may end at 24:00 (midnight of the
next day).

add_business_minutes(calendar, start, n): the moment n business minutes after start; a
start outside business hours counts from the next opening. business_minutes_between
(calendar, a, b): business minutes in [a, b), negative when b is before a.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 366 * 10  # search horizon: a calendar open less than that is refused
UTC = dt.UTC


class CalendarError(ValueError):
    """A calendar definition or an argument that cannot be used."""


def _minutes(text: str, *, end: bool) -> int:
    try:
        hours, minutes = text.split(":")
        value = int(hours) * 60 + int(minutes)
    except (ValueError, AttributeError):
        raise CalendarError(f"times are HH:MM, got {text!r}") from None
    limit = 24 * 60 if end else 24 * 60 - 1
    if not 0 <= int(minutes) < 60 or not 0 <= value <= limit:
        raise CalendarError(f"not a time of day: {text!r}")
    return value


@dataclass(frozen=True)
class Calendar:
    timezone: str
    hours: tuple[tuple[tuple[int, int], ...], ...]  # per weekday (0 = Monday): minute ranges
    holidays: frozenset[dt.date] = frozenset()
    _zone: zoneinfo.ZoneInfo = field(init=False, repr=False, compare=False)
    _days: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        try:
            zone = zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"unknown time zone {self.timezone!r}") from None
        object.__setattr__(self, "_zone", zone)
        if len(self.hours) != 7:
            raise CalendarError("hours are needed for the seven weekdays")
        if not any(self.hours):
            raise CalendarError("the calendar is never open")

    @classmethod
    def from_dict(cls, data: Any) -> Calendar:
        """{"timezone": "Europe/Berlin", "hours": [{"days": ["mon", …], "start": "09:00",
        "end": "17:00"}, …], "holidays": ["2026-12-25", …]}"""
        if not isinstance(data, dict):
            raise CalendarError("a calendar is a JSON object")
        per_day: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        for rule in data.get("hours") or []:
            if not isinstance(rule, dict):
                raise CalendarError("each entry of hours is an object")
            start = _minutes(rule.get("start", ""), end=False)
            stop = _minutes(rule.get("end", ""), end=True)
            if stop <= start:
                raise CalendarError(f"{rule.get('start')}-{rule.get('end')} ends before it starts")
            days = rule.get("days") or []
            if not isinstance(days, list) or not days:
                raise CalendarError("each entry of hours names its days")
            for day in days:
                if day not in DAYS:
                    raise CalendarError(f"days are {', '.join(DAYS)}; got {day!r}")
                per_day[DAYS.index(day)].append((start, stop))
        merged = []
        for ranges in per_day:
            out: list[tuple[int, int]] = []
            for s, e in sorted(ranges):
                if out and s <= out[-1][1]:  # overlapping or touching: one range
                    out[-1] = (out[-1][0], max(out[-1][1], e))
                else:
                    out.append((s, e))
            merged.append(tuple(out))
        holidays = set()
        for text in data.get("holidays") or []:
            try:
                holidays.add(dt.date.fromisoformat(str(text)))
            except ValueError:
                raise CalendarError(f"holidays are YYYY-MM-DD, got {text!r}") from None
        tz = data.get("timezone")
        if not isinstance(tz, str):
            raise CalendarError("the calendar needs a timezone (IANA name)")
        return cls(timezone=tz, hours=tuple(merged), holidays=frozenset(holidays))

    # ------------------------------------------------------------ wall clock → UTC

    def _instant(self, day: dt.date, minute: int, *, closing: bool) -> dt.datetime:
        """The UTC moment of a wall-clock minute of a day, by the rules in the docstring."""
        if minute == 24 * 60:
            day, minute = day + dt.timedelta(days=1), 0
        wall = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
        early = wall.replace(tzinfo=self._zone, fold=0).astimezone(UTC)
        late = wall.replace(tzinfo=self._zone, fold=1).astimezone(UTC)
        exists = early.astimezone(self._zone).replace(tzinfo=None) == wall
        if exists:  # once, or twice at fall-back
            return max(early, late) if closing else min(early, late)
        # in the spring-forward gap: the moment the clocks jump, found by bisection
        lo, hi = min(early, late), max(early, late)
        while hi - lo > dt.timedelta(seconds=1):
            mid = lo + (hi - lo) / 2
            if mid.astimezone(self._zone).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return hi.replace(microsecond=0)

    def open_ranges(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's opening ranges as UTC moments (cached per calendar and day)."""
        ranges = self._days.get(day)
        if ranges is None:
            if day in self.holidays:
                ranges = []
            else:
                ranges = [
                    (self._instant(day, s, closing=False), self._instant(day, e, closing=True))
                    for s, e in self.hours[day.weekday()]
                ]
                ranges = [(a, b) for a, b in ranges if b > a]
            if len(self._days) > 20_000:
                self._days.clear()
            self._days[day] = ranges
        return ranges

    def localize(self, wall: dt.datetime) -> dt.datetime:
        """A naive wall-clock time of the calendar's zone as a UTC moment (a time in the
        spring gap moves to the jump; a repeated one takes its first occurrence)."""
        minute = wall.hour * 60 + wall.minute
        base = self._instant(wall.date(), minute, closing=False)
        return base + dt.timedelta(seconds=wall.second, microseconds=wall.microsecond)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self._zone).date()


def _aware(name: str, moment: dt.datetime) -> dt.datetime:
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise CalendarError(f"{name} needs a time zone")
    return moment.astimezone(UTC)


def add_business_minutes(calendar: Calendar, start: dt.datetime, minutes: float) -> dt.datetime:
    """The UTC moment ``minutes`` business minutes after ``start`` (0 minutes from outside
    business hours gives the next opening)."""
    if minutes < 0:
        raise CalendarError("minutes must not be negative")
    t = _aware("start", start)
    left = dt.timedelta(minutes=minutes)
    day = calendar.local_date(t) - dt.timedelta(days=1)  # a range may start the day before
    for _ in range(MAX_DAYS):
        for a, b in calendar.open_ranges(day):
            if b <= t:
                continue
            begin = max(a, t)
            if left <= b - begin:
                return begin + left
            left -= b - begin
        day += dt.timedelta(days=1)
    raise CalendarError("the calendar is not open for that long within ten years")


def business_minutes_between(calendar: Calendar, a: dt.datetime, b: dt.datetime) -> float:
    """Business minutes in [a, b); negative when b is before a."""
    a, b = _aware("a", a), _aware("b", b)
    if b < a:
        return -business_minutes_between(calendar, b, a)
    total = dt.timedelta()
    day = calendar.local_date(a) - dt.timedelta(days=1)
    last = calendar.local_date(b)
    while day <= last:
        for s, e in calendar.open_ranges(day):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60


def is_open(calendar: Calendar, moment: dt.datetime) -> bool:
    t = _aware("moment", moment)
    day = calendar.local_date(t)
    for d in (day - dt.timedelta(days=1), day):
        ranges = calendar.open_ranges(d)
        i = bisect_right([s for s, _ in ranges], t) - 1
        if i >= 0 and ranges[i][0] <= t < ranges[i][1]:
            return True
    return False
