"""When a ticket change asks a customer for feedback."""

from __future__ import annotations

from caredesk.surveys.services import survey_on_solved
from caredesk.tickets.changes import TicketChange


def survey_on_ticket_change(change: TicketChange) -> None:
    """A ticket put into solved, by whatever door, sends its survey (once per ticket,
    throttled per customer)."""
    if change.solved:
        survey_on_solved(ticket=change.ticket)
