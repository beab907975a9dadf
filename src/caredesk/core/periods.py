"""Periods of whole days in a time zone, as the UTC moments that bound them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from caredesk.core.errors import ValidationFailed

MAX_DAYS = 92


def day_range(*, start: dt.date, days: int, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """Midnight of ``start`` to midnight ``days`` later, in the time zone (DST-aware)."""
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed("invalid_tz", f"Unknown time zone {tz!r}.", field="tz") from None
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed("invalid_days", "days must be 1 to 92.", field="days")
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
