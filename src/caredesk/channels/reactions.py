"""Whether a ticket change sends something to the customer on the ticket's channel."""

from __future__ import annotations

from caredesk.channels.mail.notices import notice_queue
from caredesk.channels.services import outbox_enqueue
from caredesk.tickets.changes import ChangeKind, TicketChange
from caredesk.tickets.enums import AuthorRole

# Who speaks to the customer: agents, and caredesk itself (acknowledgements, notices,
# rule replies). A customer's own message is never sent back to them.
_SENT_BY = frozenset({AuthorRole.AGENT, AuthorRole.SYSTEM})


def outbox_on_ticket_change(change: TicketChange) -> None:
    """Queue a public message of an agent or of caredesk for delivery (the outbox sends
    it when the ticket's channel is one caredesk delivers itself)."""
    message = change.message
    if change.kind is not ChangeKind.MESSAGE or message is None:
        return
    if message.is_public and message.author_role in _SENT_BY:
        outbox_enqueue(message=message)


def agent_notice_on_ticket_change(change: TicketChange) -> None:
    """Email the assignee a customer's public message, when they asked for it: the
    notice carries their own reply address, so they may answer by email."""
    message = change.message
    if change.kind is ChangeKind.MESSAGE and message is not None:
        notice_queue(message=message)
