"""What the search index holds for a ticket, and how it follows the ticket's changes."""

from __future__ import annotations

from caredesk.search.models import DocKind
from caredesk.search.services import search_entry_add, search_entry_drop, search_entry_put
from caredesk.tickets.changes import ChangeKind, TicketChange
from caredesk.tickets.models import Message, Ticket


def search_index_new_ticket(*, ticket: Ticket, text: str) -> None:
    """Index a ticket just created with one public message: a single INSERT."""
    search_entry_add(
        kind=DocKind.TICKET,
        object_id=ticket.pk,
        customer_id=ticket.requester_id,
        organization_id=ticket.organization_id,
        title=ticket.subject,
        body=text,
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
    scope = {"customer_id": ticket.requester_id, "organization_id": ticket.organization_id}
    search_entry_put(
        kind=DocKind.TICKET, object_id=ticket.pk, title=ticket.subject, body="\n".join(public),
        **scope,
    )  # fmt: skip
    if notes:
        search_entry_put(
            kind=DocKind.NOTE, object_id=ticket.pk, title="", body="\n".join(notes), **scope
        )
    else:
        search_entry_drop(kind=DocKind.NOTE, object_id=ticket.pk)


def search_on_ticket_change(change: TicketChange) -> None:
    """Index a new ticket with its first message; re-index one whose subject changed,
    that got a message, was merged (either side) or imported."""
    if change.kind is ChangeKind.CREATED:
        text = change.message.text if change.message is not None else ""
        search_index_new_ticket(ticket=change.ticket, text=text)
    elif change.kind is not ChangeKind.UPDATED or change.changed("subject"):
        search_index_ticket(ticket=change.ticket)
