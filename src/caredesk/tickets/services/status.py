"""The status machine: which moves a ticket's status may make and what each writes
(the times it was solved or closed, the reporting facts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.validation import choice_check
from caredesk.tickets.enums import TicketStatus
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.facts import solved_facts

_STATUS_TIMES = {TicketStatus.SOLVED: "solved_at", TicketStatus.CLOSED: "closed_at"}


def status_fields(ticket: Ticket, status: str, at: dt.datetime) -> dict[str, Any]:
    """The fields to write for a status change, or ValidationFailed for a bad transition."""
    choice_check(status, TicketStatus.values, "status", TicketErrorCode.INVALID_STATUS)
    if ticket.status == TicketStatus.CLOSED and status != TicketStatus.CLOSED:
        raise Conflict(
            TicketErrorCode.TICKET_CLOSED,
            _("A closed ticket cannot be reopened; open a follow-up instead."),
            field="status",
        )
    fields: dict[str, Any] = {"status": status, "status_changed_at": at}
    if status == TicketStatus.NEW and ticket.status != TicketStatus.NEW:
        raise ValidationFailed(
            TicketErrorCode.INVALID_TRANSITION, _("A ticket cannot go back to new."), field="status"
        )
    if status in _STATUS_TIMES:
        fields[_STATUS_TIMES[TicketStatus(status)]] = at
    fields.update(solved_facts(ticket, status, at))
    if status not in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        fields["solved_at"] = None
    return fields
