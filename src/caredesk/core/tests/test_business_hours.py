"""Business-time arithmetic: fixed cases around DST and holidays in several zones, and
properties that must hold for any calendar and moment (hypothesis). No database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caredesk.core.business_hours import (
    Calendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
    is_open,
)

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
UTC = dt.UTC


def cal(tz: str, *ranges: tuple[str, str], days: list[str] | None = None, holidays=()) -> Calendar:
    return Calendar.from_dict(
        {
            "timezone": tz,
            "hours": [{"days": days or WEEKDAYS, "start": s, "end": e} for s, e in ranges],
            "holidays": list(holidays),
        }
    )


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_the_issue_example_skips_the_evening_the_weekend_and_christmas() -> None:
    berlin = cal("Europe/Berlin", ("09:00", "17:00"), holidays=["2026-12-25"])
    # Thursday 24 Dec 16:00 Berlin + 120 min: 60 on Thursday, Friday is a holiday,
    # weekend closed, 60 on Monday 28 Dec from 09:00 → 10:00 Berlin = 09:00 UTC
    assert add_business_minutes(berlin, utc(2026, 12, 24, 15), 120) == utc(2026, 12, 28, 9)


def test_a_start_outside_business_hours_counts_from_the_next_opening() -> None:
    berlin = cal("Europe/Berlin", ("09:00", "17:00"))
    saturday = utc(2026, 11, 28, 12)
    assert add_business_minutes(berlin, saturday, 0) == utc(2026, 11, 30, 8)
    assert add_business_minutes(berlin, saturday, 30) == utc(2026, 11, 30, 8, 30)


def test_split_days_skip_the_lunch_break() -> None:
    lunch = cal("Europe/Berlin", ("08:00", "12:00"), ("13:00", "17:00"))
    monday_1130 = utc(2026, 11, 30, 10, 30)  # 11:30 Berlin
    assert add_business_minutes(lunch, monday_1130, 60) == utc(2026, 11, 30, 12, 30)  # 13:30
    assert business_minutes_between(lunch, utc(2026, 11, 30, 7), utc(2026, 11, 30, 16)) == 480


@pytest.mark.parametrize(
    ("tz", "day", "hours_open"),
    [
        ("Europe/Berlin", dt.date(2026, 3, 29), 2),  # 01:00-04:00 loses an hour
        ("Europe/Berlin", dt.date(2026, 10, 25), 4),  # and gains one in autumn
        ("America/New_York", dt.date(2026, 3, 8), 2),
        ("America/New_York", dt.date(2026, 11, 1), 4),
        ("Australia/Sydney", dt.date(2026, 4, 5), 4),  # southern autumn: back at 03:00
        ("Australia/Sydney", dt.date(2026, 10, 4), 2),
        ("Asia/Tokyo", dt.date(2026, 3, 29), 3),  # no DST
        ("Asia/Kolkata", dt.date(2026, 3, 29), 3),  # +05:30, no DST
    ],
)
def test_a_range_across_a_dst_change_lasts_what_the_clock_on_the_wall_says(
    tz: str, day: dt.date, hours_open: int
) -> None:
    night = cal(tz, ("01:00", "04:00"), days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    (start, end), *_ = night.open_ranges(day)
    assert end - start == dt.timedelta(hours=hours_open)
    assert business_minutes_between(night, start - dt.timedelta(hours=1), end) == hours_open * 60


def test_lord_howe_moves_its_clocks_by_half_an_hour() -> None:
    night = cal("Australia/Lord_Howe", ("01:00", "03:00"), days=["sun"])
    (start, end), *_ = night.open_ranges(dt.date(2026, 10, 4))  # 02:00 → 02:30
    assert end - start == dt.timedelta(minutes=90)


def test_an_opening_in_the_spring_gap_opens_when_the_clocks_jump() -> None:
    gap = cal("Europe/Berlin", ("02:30", "05:00"), days=["sun"])
    (start, _end), *_ = gap.open_ranges(dt.date(2026, 3, 29))
    assert start == utc(2026, 3, 29, 1)  # 03:00 CEST, the first moment after the gap


def test_a_day_open_until_midnight_runs_into_the_next_day() -> None:
    late = cal("America/New_York", ("18:00", "24:00"))
    friday_2330 = utc(2026, 11, 28, 4, 30)  # Friday 23:30 in New York
    # 30 minutes to Friday's midnight, 15 from Monday 18:00 → Monday 18:15 in New York
    assert add_business_minutes(late, friday_2330, 45) == utc(2026, 11, 30, 23, 15)


def test_between_is_negative_backwards_and_is_open_agrees() -> None:
    berlin = cal("Europe/Berlin", ("09:00", "17:00"))
    a, b = utc(2026, 11, 30, 9), utc(2026, 11, 30, 11)
    assert business_minutes_between(berlin, b, a) == -120
    assert is_open(berlin, utc(2026, 11, 30, 8))
    assert not is_open(berlin, utc(2026, 11, 30, 16))
    assert not is_open(berlin, utc(2026, 11, 29, 10))  # Sunday


@pytest.mark.parametrize(
    "data",
    [
        {"timezone": "Mars/Olympus",
         "hours": [{"days": ["mon"], "start": "09:00", "end": "17:00"}]},
        {"timezone": "UTC", "hours": []},
        {"timezone": "UTC", "hours": [{"days": ["mon"], "start": "17:00", "end": "09:00"}]},
        {"timezone": "UTC", "hours": [{"days": ["funday"], "start": "09:00", "end": "17:00"}]},
        {"timezone": "UTC", "hours": [{"days": ["mon"], "start": "9", "end": "17:00"}]},
        {"timezone": "UTC", "hours": [{"days": ["mon"], "start": "09:00", "end": "25:00"}]},
        {"timezone": "UTC", "hours": [{"days": ["mon"], "start": "09:00", "end": "17:00"}],
         "holidays": ["25/12/2026"]},
        [],
    ],
)  # fmt: skip
def test_bad_calendars_are_refused(data: object) -> None:
    with pytest.raises(CalendarError):
        Calendar.from_dict(data)


def test_naive_times_and_negative_minutes_are_refused() -> None:
    berlin = cal("Europe/Berlin", ("09:00", "17:00"))
    with pytest.raises(CalendarError):
        add_business_minutes(berlin, dt.datetime(2026, 11, 30, 9), 10)
    with pytest.raises(CalendarError):
        add_business_minutes(berlin, utc(2026, 11, 30, 9), -1)


# ---------------------------------------------------------------- properties

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "Australia/Lord_Howe", "America/Sao_Paulo", "UTC"]  # fmt: skip
minute_of_day = st.integers(min_value=0, max_value=23 * 60).map(lambda m: m - m % 15)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    tz = draw(st.sampled_from(ZONES))
    ranges = []
    for _ in range(draw(st.integers(1, 3))):
        s = draw(minute_of_day)
        e = draw(st.integers(min_value=s + 15, max_value=24 * 60))
        days = draw(st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                             min_size=1, max_size=7, unique=True))  # fmt: skip
        ranges.append({"days": days, "start": f"{s // 60:02d}:{s % 60:02d}",
                       "end": f"{e // 60:02d}:{e % 60:02d}"})  # fmt: skip
    holidays = draw(st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)), max_size=5))
    return Calendar.from_dict(
        {"timezone": tz, "hours": ranges, "holidays": [h.isoformat() for h in holidays]}
    )


moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 6, 30), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=moments, minutes=st.integers(0, 6000))
def test_adding_then_measuring_gives_the_minutes_back(
    calendar: Calendar, start: dt.datetime, minutes: int
) -> None:
    due = add_business_minutes(calendar, start, minutes)
    assert due >= start
    assert business_minutes_between(calendar, start, due) == pytest.approx(minutes, abs=1e-6)
    if minutes > 0:
        assert is_open(calendar, due - dt.timedelta(seconds=1))


@settings(max_examples=100, deadline=None)
@given(calendar=calendars(), start=moments, m1=st.integers(0, 3000), m2=st.integers(0, 3000))
def test_more_minutes_are_never_earlier_and_steps_add_up(
    calendar: Calendar, start: dt.datetime, m1: int, m2: int
) -> None:
    first = add_business_minutes(calendar, start, m1)
    assert (
        add_business_minutes(calendar, start, m1 + m2) == add_business_minutes(calendar, first, m2)
        or m2 == 0
    )
    lo, hi = sorted((m1, m2))
    assert add_business_minutes(calendar, start, lo) <= add_business_minutes(calendar, start, hi)


@settings(max_examples=100, deadline=None)
@given(calendar=calendars(), a=moments, b=moments, c=moments)
def test_between_is_additive(
    calendar: Calendar, a: dt.datetime, b: dt.datetime, c: dt.datetime
) -> None:
    a, b, c = sorted((a, b, c))
    assume((c - a) < dt.timedelta(days=200))
    ab = business_minutes_between(calendar, a, b)
    bc = business_minutes_between(calendar, b, c)
    assert ab + bc == pytest.approx(business_minutes_between(calendar, a, c), abs=1e-6)
    assert ab <= (b - a).total_seconds() / 60 + 1e-9
