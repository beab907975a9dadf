"""What happened to a ticket, described once, and the one door that hands it on.

Every writer of tickets (create, update, message add, merge, history import, and so
every screen, API call, bulk action, rule action, router and mail path built on them)
describes its change as a ``TicketChange`` and calls ``ticket_changed``. What follows a
change (the search index, SLA clocks, the outbox, rules and webhooks, routing, surveys,
rollup bookkeeping) is the ordered list in ``config/reactions.py``; no writer calls any
of it directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from caredesk.accounts.models import User
from caredesk.core.reactions import reactions_of, reactions_run
from caredesk.tickets.enums import AuthorRole, TicketStatus
from caredesk.tickets.models import Message, Ticket

REACTIONS_SETTING = "CAREDESK_TICKET_REACTIONS"


class ChangeKind(StrEnum):
    CREATED = "created"  # a new ticket (with its first message, if any)
    UPDATED = "updated"  # fields changed (status, priority, assignee, team, tags, …)
    MESSAGE = "message"  # a message or note added; ``fields`` holds its status effect
    MERGED_AWAY = "merged_away"  # this ticket was merged into ``other`` and closed
    MERGED_IN = "merged_in"  # ``other`` was merged into this ticket
    IMPORTED = "imported"  # a ticket's past written as it happened (no live effects)


@dataclass(frozen=True)
class TicketChange:
    """One change of one ticket. ``fields`` maps a field to its (old, new) value, as the
    writer saw them (users and teams as objects, tags as lists of names)."""

    ticket: Ticket
    kind: ChangeKind
    actor: User | None
    at: dt.datetime
    fields: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    message: Message | None = None
    other: Ticket | None = None  # the other ticket of a merge
    actor_role: str = ""  # how the actor appears (role_of(actor) unless the writer says)

    def __post_init__(self) -> None:
        if not self.actor_role:
            object.__setattr__(self, "actor_role", role_of(self.actor))

    def changed(self, name: str) -> bool:
        return name in self.fields

    @property
    def status_change(self) -> tuple[str, str] | None:
        """(old, new) status when the change moved it."""
        if "status" not in self.fields:
            return None
        old, new = self.fields["status"]
        return str(old), str(new)

    @property
    def solved(self) -> bool:
        """Whether this change put the ticket into solved."""
        moved = self.status_change
        return moved is not None and moved[1] == TicketStatus.SOLVED


def role_of(actor: User | None) -> str:
    """How an actor appears on a ticket: an agent, a customer, or the system."""
    if actor is None:
        return AuthorRole.SYSTEM
    return AuthorRole.AGENT if actor.is_staff_member else AuthorRole.CUSTOMER


def ticket_changed(change: TicketChange) -> None:
    """Run every reaction to ``change`` in the order of the reaction list. Call it inside
    the writer's transaction, after the change and its history are written."""
    reactions_run(reactions_of(REACTIONS_SETTING), change)
