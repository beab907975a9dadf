"""Customer 360 and the customer list for agents."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from caredesk.accounts.gates import staff_required, user_of
from caredesk.core.errors import ValidationFailed
from caredesk.customer360.timeline import customer_timeline
from caredesk.customers.enums import Lifecycle
from caredesk.customers.models import Customer
from caredesk.customers.selectors import (
    CustomerFilters,
    customer_get_for_user,
    customer_lifecycle,
    customer_list,
    customer_segments,
    purchase_list,
)
from caredesk.customers.services import customer_note_add, customer_update
from caredesk.search.selectors import search_ids
from caredesk.tickets.selectors import TicketFilters, ticket_list

LIST_SIZE = 50


class NoteForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000, label=gettext_lazy("Note")
    )


@require_GET
@staff_required
def customer_index(request: HttpRequest) -> HttpResponse:
    """Search customers by name, email, phone or organisation; newest first without a query."""
    q = request.GET.get("q", "").strip()[:200]
    next_cursor = None
    if q:
        ids = search_ids(user=user_of(request), q=q, limit=LIST_SIZE).customer_ids
        rows = {
            c.pk: c
            for c in Customer.objects.filter(pk__in=ids)
            .select_related("organization")
            .prefetch_related("contacts")
        }
        customers = [rows[i] for i in ids if i in rows]
    else:
        page = customer_list(
            user=user_of(request),
            filters=CustomerFilters(),
            cursor=request.GET.get("cursor") or None,
            limit=LIST_SIZE,
        )
        customers, next_cursor = page.items, page.next_cursor
    return render(
        request,
        "customers/list.html",
        {"nav": "customers", "customers": customers, "q": q, "next_cursor": next_cursor},
    )


@require_GET
@staff_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Customer 360: who they are, their value, lifecycle and segments, their tickets and
    everything that happened with them, newest first."""
    return render(request, "customers/detail.html", _context(request, customer_id, NoteForm()))


def _context(request: HttpRequest, customer_id: int, note_form: NoteForm) -> dict[str, object]:
    user = user_of(request)
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    lifecycle, reason = customer_lifecycle(customer=customer)
    open_tickets = ticket_list(
        user=user,
        filters=TicketFilters(requester_id=customer.pk, open=True),
        limit=20,
    )
    recent_tickets = ticket_list(
        user=user,
        filters=TicketFilters(requester_id=customer.pk, status=["solved", "closed"]),
        limit=20,
    )
    timeline = customer_timeline(
        user=user,
        customer=customer,
        cursor=request.GET.get("cursor") or None,
        limit=30,
    )
    return {
        "nav": "customers",
        "customer": customer,
        "lifecycle": Lifecycle(lifecycle).label if lifecycle in Lifecycle.values else lifecycle,
        "lifecycle_reason": reason,
        "segments": customer_segments(customer=customer),
        "purchases": purchase_list(user=user, customer_id=customer.pk, cursor=None, limit=10).items,
        "open_tickets": open_tickets.items,
        "past_tickets": recent_tickets.items,
        "timeline": timeline,
        "note_form": note_form,
        "languages": settings.LANGUAGES,
    }


@require_POST
@staff_required
def customer_note(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get_for_user(user=user_of(request), customer_id=customer_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        context = _context(request, customer_id, form)
        return render(request, "customers/detail.html", context, status=422)
    customer_note_add(customer=customer, author=user_of(request), text=form.cleaned_data["text"])
    messages.success(request, _("Note added."))
    return redirect("customers:detail", customer_id=customer.pk)


@require_POST
@staff_required
def customer_language(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The language the customer writes in: their emails, portal and surveys speak it."""
    customer = customer_get_for_user(user=user_of(request), customer_id=customer_id)
    try:
        customer_update(customer=customer, data={"language": request.POST.get("language", "")})
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Language saved."))
    return redirect("customers:detail", customer_id=customer.pk)
