"""Merge one ticket into another."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import Conflict, PermissionDenied
from caredesk.tickets.changes import ChangeKind, TicketChange, ticket_changed
from caredesk.tickets.enums import AuthorRole, EventKind, TicketStatus
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Commitment, Message, Ticket
from caredesk.tickets.services.events import event_row, events_record, ticket_save_checked
from caredesk.tickets.services.messages import message_content, message_store


@transaction.atomic
def ticket_merge(*, source: Ticket, target: Ticket, actor: User) -> Ticket:
    """Move the source's messages, commitments, CCs and tags onto the target and close the
    source with a pointer to it. The source's requester becomes a CC of the target when
    they differ, so nobody drops out of the conversation."""
    if not actor.is_staff_member:
        raise PermissionDenied(_("Only agents can merge tickets."))
    if source.pk == target.pk:
        raise Conflict(TicketErrorCode.MERGE_SELF, _("A ticket cannot be merged into itself."))
    if source.merged_into_id or target.merged_into_id:
        raise Conflict(TicketErrorCode.MERGE_MERGED, _("One of the tickets was already merged."))
    now = timezone.now()
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    Commitment.objects.filter(ticket=source).update(ticket=target)
    target.ccs.add(*source.ccs.all())
    if source.requester_id != target.requester_id:
        target.ccs.add(source.requester)
    target.tags.add(*source.tags.all())
    for ticket, note in (
        (source, f"Merged into #{target.pk}."),
        (target, f"Ticket #{source.pk} ({source.subject}) merged in; {moved} messages moved."),
    ):
        message_store(  # the same checks and storage as every message
            ticket=ticket,
            role=AuthorRole.SYSTEM,
            author=actor,
            author_customer=None,
            is_public=False,
            content=message_content(text=note, html=""),
            channel=ticket.channel,
            at=now,
        )
    old_status = source.status
    ticket_save_checked(
        ticket=source,
        fields={"merged_into": target, "status": TicketStatus.CLOSED, "closed_at": now},
        expected_version=None,
        at=now,
    )
    ticket_save_checked(ticket=target, fields={}, expected_version=None, at=now)
    events_record(
        [
            event_row(
                ticket=source,
                actor=actor,
                kind=EventKind.MERGED,
                field="merged_into",
                new=target.pk,
                at=now,
            ),
            event_row(
                ticket=source,
                actor=actor,
                kind=EventKind.CHANGED,
                field="status",
                old=old_status,
                new=TicketStatus.CLOSED,
                at=now,
            ),
            event_row(
                ticket=target,
                actor=actor,
                kind=EventKind.MERGED,
                field="merged_from",
                new=source.pk,
                at=now,
            ),
        ]
    )
    closed = {"status": (old_status, TicketStatus.CLOSED), "merged_into": (None, target)}
    for ticket, kind, fields, other in (
        (source, ChangeKind.MERGED_AWAY, closed, target),
        (target, ChangeKind.MERGED_IN, {}, source),
    ):
        ticket_changed(
            TicketChange(
                ticket=ticket,
                kind=kind,
                actor=actor,
                at=now,
                fields=fields,
                other=other,
            )
        )
    return target
