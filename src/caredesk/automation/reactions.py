"""The automation events of a ticket change: rules run and webhooks are told."""

from __future__ import annotations

from caredesk.accounts.models import Team, User
from caredesk.automation.services.engine import Event, automation_fire
from caredesk.tickets.changes import ChangeKind, TicketChange
from caredesk.tickets.enums import AuthorRole
from caredesk.tickets.models import Ticket


def automation_on_ticket_change(change: TicketChange) -> None:
    """``ticket.created`` for a new ticket; ``message.agent`` / ``message.customer`` for a
    public message; ``ticket.updated`` whenever fields changed, whichever door changed
    them (the properties form, a reply that solves, a customer reply that reopens, a
    bulk action, a rule, a merge that closes the ticket)."""
    ticket = change.ticket
    if change.kind is ChangeKind.CREATED:
        first = change.message
        automation_fire(
            event=Event(
                "ticket.created",
                ticket.pk,
                key="created",
                actor_role=change.actor_role,
                detail={"automatic": first.automatic if first is not None else ""},
            ),
            ticket=ticket,
        )
        return
    message = change.message
    if (
        change.kind is ChangeKind.MESSAGE
        and message is not None
        and message.is_public
        and message.author_role in (AuthorRole.AGENT, AuthorRole.CUSTOMER)
    ):
        automation_fire(
            event=Event(
                f"message.{message.author_role}",
                ticket.pk,
                key=f"message:{message.pk}",
                actor_role=message.author_role,
                changes=_plain(change),
                detail={
                    "message_id": message.pk,
                    "text": message.text[:5000],
                    "automatic": message.automatic,
                },
                at=change.at,
            ),
            ticket=ticket,
        )
    if change.fields and change.kind in (
        ChangeKind.UPDATED,
        ChangeKind.MESSAGE,
        ChangeKind.MERGED_AWAY,
    ):
        automation_fire(
            event=Event(
                "ticket.updated",
                ticket.pk,
                key=f"v{ticket.version}",
                actor_role=change.actor_role,
                changes=_plain(change),
                at=change.at,
            ),
            ticket=ticket,
        )


def _plain(change: TicketChange) -> dict[str, tuple[object, object]]:
    """Values as receivers see them: ids for agents, teams and tickets, names for tags."""
    return {k: (_value(old), _value(new)) for k, (old, new) in change.fields.items()}


def _value(value: object) -> object:
    if isinstance(value, User | Team | Ticket):
        return value.pk
    if isinstance(value, list):
        return [getattr(v, "name", v) for v in value]
    return value
