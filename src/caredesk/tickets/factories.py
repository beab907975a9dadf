from __future__ import annotations

from typing import Any

from caredesk.customers.factories import CustomerFactory
from caredesk.tickets.models import Ticket
from caredesk.tickets.services import ticket_create


def ticket_make(**kwargs: Any) -> Ticket:
    """A ticket opened by its requester through the real service."""

    kwargs.setdefault("requester", CustomerFactory())
    kwargs.setdefault("subject", "Router keeps dropping the connection")
    kwargs.setdefault("text", "Since Monday the router drops the connection every hour.")
    return ticket_create(**kwargs)
