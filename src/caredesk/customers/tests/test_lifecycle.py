import datetime as dt

from caredesk.customers.lifecycle import lifecycle_of, lifecycle_reason

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def test_no_purchase_is_potential() -> None:
    assert lifecycle_of(last_purchase_at=None, now=NOW, window_days=365) == "potential"


def test_purchase_within_window_is_existing_and_edge_is_inclusive() -> None:
    edge = NOW - dt.timedelta(days=60)
    assert lifecycle_of(last_purchase_at=edge, now=NOW, window_days=60) == "existing"
    older = edge - dt.timedelta(seconds=1)
    assert lifecycle_of(last_purchase_at=older, now=NOW, window_days=60) == "former"


def test_reason_names_the_days_and_window() -> None:
    reason = lifecycle_reason(
        last_purchase_at=NOW - dt.timedelta(days=400), now=NOW, window_days=365
    )
    assert reason == "Last purchase 400 days ago, outside the 365-day window."
