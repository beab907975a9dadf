"""GET /api/v1/search?q=…"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from caredesk.accounts.gates import actor
from caredesk.core.schemas import InputSchema
from caredesk.customers.api import customer_out
from caredesk.customers.models import Customer
from caredesk.customers.schemas import CustomerOut
from caredesk.customers.services import crm_settings_get
from caredesk.search.selectors import search_ids
from caredesk.tickets.api import tickets_out
from caredesk.tickets.schemas import TicketOut
from caredesk.tickets.selectors import tickets_by_ids

router = Router(tags=["search"])


class SearchOut(Schema):
    query: str
    tickets: list[TicketOut]
    customers: list[CustomerOut]


class SearchQuery(InputSchema):
    q: str = Field(..., max_length=500, description="Words to find.")
    limit: int = Field(20, ge=1, le=50)


# the id it had when search lived in its own app: generated clients keep working
@router.get("", response=SearchOut, operation_id="caredesk_search_api_search")
def search(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    """Full-text search over ticket subjects, messages (and, for agents, internal notes and
    customers). Every word must match, by its English stem. Newest first."""
    user = actor(request)
    hits = search_ids(user=user, q=params.q, limit=params.limit)
    customers: list[dict[str, Any]] = []
    if hits.customer_ids:
        rows = {
            c.pk: c
            for c in Customer.objects.filter(pk__in=hits.customer_ids)
            .select_related("organization")
            .prefetch_related("contacts")
        }
        window, now = crm_settings_get().recency_window_days, timezone.now()
        customers = [
            customer_out(rows[i], window=window, now=now) for i in hits.customer_ids if i in rows
        ]
    return {
        "query": params.q,
        "tickets": tickets_out(tickets_by_ids(user=user, ids=hits.ticket_ids)),
        "customers": customers,
    }
