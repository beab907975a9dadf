"""The KPI report over JSON (the same figures as `caredesk report kpis --json`) and the
SLA compliance report."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from caredesk.accounts.gates import staff_actor, supervisor_actor
from caredesk.analytics.figures import kpis_for
from caredesk.analytics.selectors import kpi_period
from caredesk.analytics.sla_compliance import sla_compliance
from caredesk.core.periods import date_period
from caredesk.sla.schemas import ComplianceOut

router = Router(tags=["analytics"])
sla_router = Router(tags=["sla"])  # reports of the SLA domain, under /sla


class PeriodQuery(Schema):
    date_from: dt.date = Field(..., alias="from", description="First day, inclusive.")
    date_to: dt.date = Field(..., alias="to", description="Last day, inclusive.")
    tz: str = Field("UTC", max_length=64, description="The time zone of the dates.")


@router.get("/kpis", response=dict[str, Any])
def kpis(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    """The service KPIs of the days from `from` to `to` (inclusive, in `tz`; at most
    three years), for supervisors and admins. Definitions: docs/kpis.md."""

    supervisor_actor(request)
    period = kpi_period(date_from=query.date_from, date_to=query.date_to, tz=query.tz)
    return kpis_for(period)


# mounted at /sla with the id it had in the SLA app: generated clients keep working
@sla_router.get(
    "/compliance", response=list[ComplianceOut], operation_id="caredesk_sla_api_compliance"
)
def compliance(
    request: HttpRequest, date_from: dt.date, date_to: dt.date, tz: str = "UTC"
) -> list[dict[str, Any]]:
    """Per policy and target, the clocks that ran out or were met between the dates
    (inclusive, in the time zone): met in time, breached, and the share met."""
    staff_actor(request)
    start, end = date_period(date_from=date_from, date_to=date_to, tz=tz)
    return [{**asdict(c), "percent": c.percent} for c in sla_compliance(start=start, end=end)]
