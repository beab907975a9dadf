"""Keep the search index in step with tickets and customers (explicit calls from services)."""

from __future__ import annotations

from caredesk.customers.models import Customer
from caredesk.search.models import DocKind, SearchEntry
from caredesk.tickets.models import Message, Ticket

MAX_BODY = 200_000


def _upsert(
    kind: str,
    object_id: int,
    *,
    customer_id: int | None,
    organization_id: int | None,
    title: str,
    body: str,
) -> None:
    values = {
        "customer_id": customer_id,
        "organization_id": organization_id,
        "title": title[:250],
        "body": body[:MAX_BODY],
    }
    # UPDATE first, INSERT when there was nothing: no savepoints, unlike update_or_create.
    if not SearchEntry.objects.filter(kind=kind, object_id=object_id).update(**values):
        SearchEntry.objects.create(kind=kind, object_id=object_id, **values)


def search_index_new_ticket(*, ticket: Ticket, text: str) -> None:
    """Index a ticket just created with one public message: a single INSERT."""
    SearchEntry.objects.create(
        kind=DocKind.TICKET,
        object_id=ticket.pk,
        customer_id=ticket.requester_id,
        organization_id=ticket.organization_id,
        title=ticket.subject[:250],
        body=text[:MAX_BODY],
    )


def search_index_ticket(*, ticket: Ticket) -> None:
    """(Re)index a ticket: subject and public messages; internal notes separately."""
    public: list[str] = []
    notes: list[str] = []
    for is_public, text in (
        Message.objects.filter(ticket=ticket)
        .order_by("created_at", "id")
        .values_list("is_public", "text")
    ):
        (public if is_public else notes).append(text)
    _upsert(
        DocKind.TICKET,
        ticket.pk,
        customer_id=ticket.requester_id,
        organization_id=ticket.organization_id,
        title=ticket.subject,
        body="\n".join(public),
    )
    if notes:
        _upsert(
            DocKind.NOTE,
            ticket.pk,
            customer_id=ticket.requester_id,
            organization_id=ticket.organization_id,
            title="",
            body="\n".join(notes),
        )
    else:
        SearchEntry.objects.filter(kind=DocKind.NOTE, object_id=ticket.pk).delete()


def search_index_customer(*, customer: Customer) -> None:
    """(Re)index a customer: name, contact points and organisation name."""
    contacts = list(customer.contacts.values_list("value", flat=True))
    org = customer.organization.name if customer.organization_id and customer.organization else ""
    _upsert(
        DocKind.CUSTOMER,
        customer.pk,
        customer_id=customer.pk,
        organization_id=customer.organization_id,
        title=customer.name,
        body=" ".join([*contacts, org]),
    )
