"""What a ticket's SLA clocks do when the ticket changes."""

from __future__ import annotations

from caredesk.sla.facts import sla_business_facts_backfill, sla_first_response_fact
from caredesk.sla.services import sla_apply, sla_on_message, sla_on_status, sla_stop
from caredesk.tickets.changes import ChangeKind, TicketChange
from caredesk.tickets.models import Ticket

# Fields an SLA policy's conditions look at: a change recomputes the ticket's clocks.
SLA_FIELDS = frozenset({"priority", "type"})


def sla_on_ticket_change(change: TicketChange) -> None:
    """Start the clocks of a new ticket; a message meets or starts a response clock; a
    status change pauses, meets or restarts the resolution clock; a new priority or
    type recomputes the due times; a ticket merged away stops the clocks still running
    (the ticket it joined carries the conversation and its own clocks). The first
    response, and an imported history, set the first response in business time."""
    ticket = change.ticket
    if change.kind is ChangeKind.CREATED:
        sla_apply(ticket=ticket, created=True)
        return
    if change.kind is ChangeKind.MERGED_AWAY:
        sla_stop(ticket=ticket)
        return
    if change.kind is ChangeKind.IMPORTED:
        sla_business_facts_backfill(Ticket.objects.filter(pk=ticket.pk))
        ticket.refresh_from_db(fields=["first_response_business_us"])
        return
    if change.kind not in (ChangeKind.UPDATED, ChangeKind.MESSAGE):
        return
    if change.message is not None:
        sla = sla_on_message(ticket=ticket, message=change.message)
        if "first_response_at" in change.fields:
            sla_first_response_fact(ticket=ticket, sla=sla)
    moved = change.status_change
    if moved is not None:
        sla_on_status(ticket=ticket, old=moved[0], new=moved[1], at=change.at)
    if change.fields.keys() & SLA_FIELDS:
        sla_apply(ticket=ticket)
