"""What routing does when a ticket changes."""

from __future__ import annotations

from caredesk.accounts.models import User
from caredesk.routing.services import QUEUED_STATUSES, routing_drain_later, routing_route
from caredesk.tickets.changes import ChangeKind, TicketChange


def routing_on_ticket_change(change: TicketChange) -> None:
    """Route a new ticket, and one put in a team's queue or left without an agent."""
    ticket = change.ticket
    if change.kind is ChangeKind.CREATED or (
        change.kind is ChangeKind.UPDATED
        and (change.changed("team") or (change.changed("assignee") and ticket.assignee_id is None))
    ):
        routing_route(ticket=ticket)


def routing_drain_on_ticket_change(change: TicketChange) -> None:
    """An agent who finished a ticket (it left new/open, by any door) may take the next
    one from their teams' queues."""
    moved = change.status_change
    if moved is None or moved[0] not in QUEUED_STATUSES or moved[1] in QUEUED_STATUSES:
        return
    old_assignee = change.fields.get("assignee", (change.ticket.assignee, None))[0]
    if isinstance(old_assignee, User):
        routing_drain_later(user=old_assignee)
