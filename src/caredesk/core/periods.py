"""Periods of whole days in a time zone, as the UTC moments that bound them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from caredesk.core.errors import CoreErrorCode, ValidationFailed

MAX_DAYS = 92


def day_range(
    *, start: dt.date, days: int, tz: str, max_days: int = MAX_DAYS
) -> tuple[dt.datetime, dt.datetime]:
    """Midnight of ``start`` to midnight ``days`` later, in the time zone (DST-aware)."""
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            CoreErrorCode.INVALID_TZ, f"Unknown time zone {tz!r}.", field="tz"
        ) from None
    if not 1 <= days <= max_days:
        raise ValidationFailed(
            CoreErrorCode.INVALID_DAYS, f"days must be 1 to {max_days}.", field="days"
        )
    begin = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time(), tzinfo=zone)
    return begin, end


def date_period(
    *, date_from: dt.date, date_to: dt.date, tz: str
) -> tuple[dt.datetime, dt.datetime]:
    """Inclusive calendar dates (either order) in the time zone, at most MAX_DAYS days."""
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    days = min(MAX_DAYS, (date_to - date_from).days + 1)
    return day_range(start=date_from, days=days, tz=tz)


def report_period(
    *, date_from: dt.date, date_to: dt.date, tz: str, max_days: int
) -> tuple[dt.datetime, dt.datetime]:
    """Inclusive calendar dates in the time zone for a report: refused (not shortened)
    when the end comes before the start or the span is longer than ``max_days``."""
    if date_to < date_from:
        raise ValidationFailed(
            CoreErrorCode.INVALID_PERIOD,
            "The period ends before it starts (--to is before --from).",
            field="to",
        )
    days = (date_to - date_from).days + 1
    if days > max_days:
        raise ValidationFailed(
            CoreErrorCode.INVALID_PERIOD, f"A report covers at most {max_days} days.", field="to"
        )
    return day_range(start=date_from, days=days, tz=tz, max_days=max_days)


def micros(start: dt.datetime, end: dt.datetime) -> int:
    """Whole microseconds from start to end (how durations are kept for reporting)."""
    return (end - start) // dt.timedelta(microseconds=1)
