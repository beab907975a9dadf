"""What the search index does when a ticket changes."""

from __future__ import annotations

from caredesk.search.services import search_index_new_ticket, search_index_ticket
from caredesk.tickets.changes import ChangeKind, TicketChange


def search_on_ticket_change(change: TicketChange) -> None:
    """Index a new ticket with its first message; re-index one whose subject changed,
    that got a message, was merged (either side) or imported."""
    if change.kind is ChangeKind.CREATED:
        text = change.message.text if change.message is not None else ""
        search_index_new_ticket(ticket=change.ticket, text=text)
    elif change.kind is not ChangeKind.UPDATED or change.changed("subject"):
        search_index_ticket(ticket=change.ticket)
