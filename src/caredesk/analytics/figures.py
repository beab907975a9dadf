"""The KPI report of a period: the tallies from the daily rollups where they apply
(analytics.rollups), the rest straight from the records (analytics.selectors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caredesk.analytics.kpis import KpiInput, Period, kpi_report
from caredesk.analytics.rollups import backlog_at, period_tally
from caredesk.analytics.selectors import (
    EVERYONE,
    Scope,
    backlog_ages,
    chat_times,
    existing_customers,
    lookups,
    spent_before,
    window_tally,
)
from caredesk.customers.services import crm_settings_get


def kpis_for(period: Period, scope: Scope = EVERYONE, *, raw: bool = False) -> dict[str, Any]:
    """The KPI report of a period (docs/kpis.md), for everyone or for a scope (then
    without the customer figures: retention and lifetime value are the company's);
    ``raw``: every figure from the records, none from the daily rollups."""
    return kpi_report(kpi_facts(period, scope, raw=raw))


def kpi_facts(
    period: Period, scope: Scope = EVERYONE, *, raw: bool = False, view: Any = None
) -> KpiInput:
    """Everything the report of a period is computed from: the tally of its tickets and
    surveys from the daily rollups where they apply (``raw``: from the records only),
    the rest from the records (``view``: the rollups' state, rollups.RollupView)."""
    if raw:
        tally = window_tally(period.start, period.end, scope)
    else:
        tally = period_tally(period, scope, view)
    data = KpiInput(
        period=period,
        tally=tally,
        lookups=lookups(period, scope),
        backlog_ages_hours=backlog_ages(period.end, scope)
        if raw
        else backlog_at(period.end, scope),
        chats=chat_times(period, scope),
    )
    if scope.everything:
        window = dt.timedelta(days=crm_settings_get().recency_window_days)
        data.existing_at_start, data.retained = existing_customers(period, window)
        data.spent = spent_before(period.end)
    return data
