"""The global search page: tickets and customers for agents."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caredesk.accounts.gates import staff_required, user_of
from caredesk.customers.models import Customer
from caredesk.search.selectors import search_ids
from caredesk.tickets.selectors import ticket_extras, tickets_by_ids

RESULTS = 25


@require_GET
@staff_required
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:500]
    tickets: list[object] = []
    customers: list[Customer] = []
    if q:
        hits = search_ids(user=user_of(request), q=q, limit=RESULTS)
        found = tickets_by_ids(user=user_of(request), ids=hits.ticket_ids)
        extras = ticket_extras(tickets=found, with_tags=False)
        tickets = [(t, t.requester.name or extras.email_of(t.requester_id) or "") for t in found]
        rows = {
            c.pk: c
            for c in Customer.objects.filter(pk__in=hits.customer_ids)
            .select_related("organization")
            .prefetch_related("contacts")
        }
        customers = [rows[i] for i in hits.customer_ids if i in rows]
    return render(
        request,
        "search/results.html",
        {"q": q, "tickets": tickets, "customers": customers, "nav": "search"},
    )
