"""GET /api/v1/customers/{id}/timeline: every interaction of a customer, newest first."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from caredesk.accounts.gates import actor
from caredesk.core.api import PageOut, page
from caredesk.customer360.timeline import customer_timeline
from caredesk.customers.schemas import TimelineItemOut
from caredesk.customers.selectors import customer_get_for_user

timeline_router = Router(tags=["customers"])


# the id it had when the timeline lived in customers: generated clients keep working
@timeline_router.get(
    "/{customer_id}/timeline",
    response=PageOut[TimelineItemOut],
    operation_id="caredesk_customers_api_timeline",
)
def timeline(
    request: HttpRequest, customer_id: int, cursor: str | None = None, limit: int = 50
) -> dict[str, Any]:
    user = actor(request)
    c = customer_get_for_user(user=user, customer_id=customer_id)
    result = customer_timeline(user=user, customer=c, cursor=cursor, limit=limit)
    return page([vars(i) for i in result.items], result.next_cursor)
