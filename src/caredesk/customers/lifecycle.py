"""Lifecycle type from purchase dates: pure, no Django."""

from __future__ import annotations

import datetime as dt

POTENTIAL = "potential"
EXISTING = "existing"
FORMER = "former"


def lifecycle_of(
    *, last_purchase_at: dt.datetime | None, now: dt.datetime, window_days: int
) -> str:
    """potential: never bought; existing: bought within the window; former: bought before."""
    if last_purchase_at is None:
        return POTENTIAL
    if last_purchase_at >= now - dt.timedelta(days=window_days):
        return EXISTING
    return FORMER


def lifecycle_reason(
    *, last_purchase_at: dt.datetime | None, now: dt.datetime, window_days: int
) -> str:
    """A sentence that says why the customer has their lifecycle type."""
    kind = lifecycle_of(last_purchase_at=last_purchase_at, now=now, window_days=window_days)
    if kind == POTENTIAL:
        return "No purchase recorded."
    assert last_purchase_at is not None
    days = (now - last_purchase_at).days
    if kind == EXISTING:
        return f"Last purchase {days} days ago, within the {window_days}-day window."
    return f"Last purchase {days} days ago, outside the {window_days}-day window."
