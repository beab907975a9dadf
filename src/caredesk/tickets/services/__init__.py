"""Ticket services: one module per operation family, re-exported here."""

from caredesk.tickets.services.commitments import commitment_create, commitment_resolve
from caredesk.tickets.services.merge import ticket_merge
from caredesk.tickets.services.messages import AttachmentData, message_add
from caredesk.tickets.services.tickets import ticket_create, ticket_update

__all__ = [
    "AttachmentData",
    "commitment_create",
    "commitment_resolve",
    "message_add",
    "ticket_create",
    "ticket_merge",
    "ticket_update",
]
