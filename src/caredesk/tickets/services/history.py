"""Write a ticket's past exactly as it happened (imports and migrations).

Live rules such as "a customer's reply reopens a solved ticket" describe what happens
next, not what happened: history carries its status changes explicitly, so this module
records messages and status changes as given, with their original times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from caredesk.accounts.models import Team, User
from caredesk.core.validation import choice_check
from caredesk.customers.models import Customer
from caredesk.tickets.changes import ChangeKind, TicketChange, ticket_changed
from caredesk.tickets.enums import (
    AuthorRole,
    EventKind,
    TicketStatus,
)
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import event_row, events_record
from caredesk.tickets.services.facts import ticket_facts_backfill
from caredesk.tickets.services.messages import AttachmentData, message_content, message_store
from caredesk.tickets.services.tickets import tags_resolve, ticket_build


@dataclass(frozen=True)
class HistoryMessage:
    at: dt.datetime
    author_role: str  # customer | agent
    author_user: User | None
    author_customer: Customer | None
    text: str
    html: str = ""
    public: bool = True
    attachments: tuple[AttachmentData, ...] = ()


@dataclass(frozen=True)
class HistoryStatus:
    at: dt.datetime
    status: str
    actor: User | None = None


@transaction.atomic
def ticket_import_history(
    *,
    requester: Customer,
    subject: str,
    created_at: dt.datetime,
    channel: str,
    type: str,
    priority: str,
    status: str | None,
    events: list[HistoryMessage | HistoryStatus],
    assignee: User | None = None,
    team: Team | None = None,
    tags: list[str] | None = None,
    custom_fields: dict[str, Any] | None = None,
    ccs: list[Customer] | None = None,
    external_id: str | None = None,
) -> Ticket:
    """Create a ticket with its messages and status changes at their original times.

    The final status is ``status`` if given, else the last status event, else ``new``
    (``open`` once an agent has replied). First response, solved and closed times are
    derived from the events.
    """
    ticket = ticket_build(  # imported custom fields are kept as they are: nothing is lost
        requester=requester,
        subject=subject,
        channel=channel,
        type=type,
        priority=priority,
        assignee=assignee,
        team=team,
        external_id=external_id,
        created_at=created_at,
        custom_fields=dict(custom_fields or {}),
    )
    ticket.save()
    if tags:
        ticket.tags.set(tags_resolve(tags))
    if ccs:
        ticket.ccs.set(ccs)
    log = [
        event_row(
            ticket=ticket, actor=None, at=created_at, kind=EventKind.CREATED, new=ticket.subject
        )
    ]
    current = str(TicketStatus.NEW)
    last_at = created_at
    seen_customer = False
    first_response: dt.datetime | None = None
    solved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    changed_at = created_at
    for event in sorted(events, key=lambda e: e.at):
        last_at = max(last_at, event.at)
        if isinstance(event, HistoryStatus):
            new = choice_check(
                event.status, TicketStatus.values, "status", TicketErrorCode.INVALID_STATUS
            )
            if new != current:
                log.append(
                    event_row(
                        ticket=ticket,
                        at=event.at,
                        actor=event.actor,
                        kind=EventKind.CHANGED,
                        field="status",
                        old=current,
                        new=new,
                    )
                )
                current = new
                changed_at = event.at
            if new == TicketStatus.SOLVED:
                solved_at = event.at
            elif new == TicketStatus.CLOSED:
                closed_at = event.at
            continue
        message = message_store(  # the same checks and storage as a live message
            ticket=ticket,
            role=event.author_role,
            author=event.author_user,
            author_customer=event.author_customer,
            is_public=event.public,
            content=message_content(
                text=event.text, html=event.html, attachments=list(event.attachments)
            ),
            channel=ticket.channel,
            at=event.at,
        )
        log.append(
            event_row(
                ticket=ticket,
                at=event.at,
                actor=event.author_user,
                kind=EventKind.MESSAGE if event.public else EventKind.NOTE,
                field="message",
                new=message.pk,
            )
        )
        if event.author_role == AuthorRole.CUSTOMER:
            seen_customer = True
        elif event.public and seen_customer and first_response is None:
            first_response = event.at
    if status is not None:
        final = choice_check(status, TicketStatus.values, "status", TicketErrorCode.INVALID_STATUS)
    elif current == TicketStatus.NEW and first_response is not None:
        final = TicketStatus.OPEN
    else:
        final = current
    events_record(log)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=final,
        first_response_at=first_response,
        solved_at=solved_at if final in (TicketStatus.SOLVED, TicketStatus.CLOSED) else None,
        closed_at=closed_at if final == TicketStatus.CLOSED else None,
        status_changed_at=changed_at,
        updated_at=last_at,
    )
    ticket_facts_backfill(Ticket.objects.filter(pk=ticket.pk))
    ticket.refresh_from_db()
    ticket_changed(TicketChange(ticket=ticket, kind=ChangeKind.IMPORTED, actor=None, at=last_at))
    return ticket
