"""The KPI report over JSON: the same figures as `caredesk report kpis --json`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from caredesk.accounts.gates import supervisor_actor

router = Router(tags=["analytics"])


class PeriodQuery(Schema):
    date_from: dt.date = Field(..., alias="from", description="First day, inclusive.")
    date_to: dt.date = Field(..., alias="to", description="Last day, inclusive.")
    tz: str = Field("UTC", max_length=64, description="The time zone of the dates.")


@router.get("/kpis", response=dict[str, Any])
def kpis(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    """The service KPIs of the days from `from` to `to` (inclusive, in `tz`; at most
    three years), for supervisors and admins. Definitions: docs/kpis.md."""
    from caredesk.analytics.selectors import kpi_period, kpis_for

    supervisor_actor(request)
    period = kpi_period(date_from=query.date_from, date_to=query.date_to, tz=query.tz)
    return kpis_for(period)
