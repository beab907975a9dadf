"""Create tickets and change their fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import Team, User
from caredesk.core.custom_fields import custom_fields_clean
from caredesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from caredesk.core.models import CustomFieldEntity
from caredesk.core.validation import choice_check
from caredesk.customers.models import Customer
from caredesk.customers.services import customer_get_or_create_by_email
from caredesk.tickets.changes import ChangeKind, TicketChange, ticket_changed
from caredesk.tickets.enums import (
    AuthorRole,
    Channel,
    EventKind,
    Priority,
    TicketStatus,
    TicketType,
)
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Tag, Ticket
from caredesk.tickets.services.events import event_row, events_record, ticket_save_checked
from caredesk.tickets.services.messages import (
    AttachmentData,
    MessageContent,
    message_content,
    message_store,
)
from caredesk.tickets.services.status import status_fields

MAX_TAGS = 50


def clean_subject(subject: str) -> str:
    text = " ".join((subject or "").split())
    if not text:
        raise ValidationFailed(
            TicketErrorCode.INVALID_SUBJECT, _("A ticket needs a subject."), field="subject"
        )
    if len(text) > 250:
        raise ValidationFailed(
            TicketErrorCode.INVALID_SUBJECT,
            _("The subject is longer than 250 characters."),
            field="subject",
        )
    return text


def tags_resolve(names: list[str]) -> list[Tag]:
    """Tags by name (lower-case, no spaces), created when new."""
    clean: list[str] = []
    for name in names:
        tag = "-".join(str(name).strip().lower().split())
        if not tag or len(tag) > 64:
            raise ValidationFailed(
                TicketErrorCode.INVALID_TAG,
                _("Invalid tag %(name)s.") % {"name": repr(name)},
                field="tags",
            )
        if tag not in clean:
            clean.append(tag)
    if len(clean) > MAX_TAGS:
        raise ValidationFailed(
            TicketErrorCode.INVALID_TAG,
            _("At most %(MAX_TAGS)s tags.") % {"MAX_TAGS": MAX_TAGS},
            field="tags",
        )
    existing = {t.name: t for t in Tag.objects.filter(name__in=clean)}
    for name in clean:
        if name not in existing:
            existing[name], _created = Tag.objects.get_or_create(name=name)
    return [existing[n] for n in clean]


def ticket_build(
    *,
    requester: Customer,
    subject: str,
    channel: str,
    type: str,
    priority: str,
    assignee: User | None,
    team: Team | None,
    external_id: str | None,
    created_at: dt.datetime,
    custom_fields: dict[str, Any],
) -> Ticket:
    """An unsaved ticket with its choices checked; the organisation is the requester's."""
    return Ticket(
        subject=clean_subject(subject),
        requester=requester,
        organization=requester.organization,
        channel=choice_check(channel, Channel.values, "channel", TicketErrorCode.INVALID_CHANNEL),
        type=choice_check(type, TicketType.values, "type", TicketErrorCode.INVALID_TYPE),
        priority=choice_check(
            priority, Priority.values, "priority", TicketErrorCode.INVALID_PRIORITY
        ),
        assignee=assignee,
        team=team,
        custom_fields=custom_fields,
        external_id=external_id or None,
        created_at=created_at,
        status_changed_at=created_at,
    )


def ticket_create(
    *,
    requester: Customer,
    subject: str,
    text: str = "",
    html: str = "",
    actor: User | None = None,
    channel: str = Channel.WEB,
    type: str = TicketType.QUESTION,
    priority: str = Priority.NORMAL,
    assignee: User | None = None,
    team: Team | None = None,
    tags: list[str] | None = None,
    custom_fields: dict[str, Any] | None = None,
    cc_emails: list[str] | None = None,
    attachments: list[AttachmentData] | None = None,
    external_id: str | None = None,
    created_at: dt.datetime | None = None,
    first_message: bool = True,
    follow_up_of: Ticket | None = None,
    automatic: str = "",
) -> Ticket:
    """Open a ticket for ``requester`` with its first message.

    The first message is the customer's unless a staff member creates the ticket, in
    which case it is that agent's public message (a logged call, an outbound contact) and
    the ticket starts open. ``follow_up_of`` links it to the (closed) ticket it continues;
    ``automatic`` says the first message is mail that no person sent (tickets.enums).
    Written in a handful of statements: creation is a hot path.
    """
    now = created_at or timezone.now()
    if actor is not None and not actor.is_staff_member:
        if actor.customer_id != requester.pk:
            raise PermissionDenied(_("A customer can only open tickets for themselves."))
        if assignee or team or tags or custom_fields:
            raise PermissionDenied(_("Customers cannot set assignee, team, tags or custom fields."))
    if external_id and Ticket.objects.filter(external_id=external_id).exists():
        raise Conflict(
            TicketErrorCode.EXTERNAL_ID_TAKEN,
            _("A ticket with external_id %(external_id)s exists.")
            % {"external_id": repr(external_id)},
        )
    if assignee is not None and not assignee.is_staff_member:
        raise ValidationFailed(
            TicketErrorCode.NOT_STAFF, _("The assignee must be an agent."), field="assignee_id"
        )
    ticket = ticket_build(
        requester=requester,
        subject=subject,
        channel=channel,
        type=type,
        priority=priority,
        assignee=assignee,
        team=team,
        external_id=external_id,
        created_at=now,
        custom_fields=custom_fields_clean(
            entity=CustomFieldEntity.TICKET, values=custom_fields or {}
        ),
    )
    ticket.follow_up_of = follow_up_of
    staff = actor is not None and actor.is_staff_member
    if first_message and staff:
        ticket.status = TicketStatus.OPEN
    ticket.updated_at = now
    content = message_content(text=text, html=html, attachments=attachments, automatic=automatic)
    try:
        # Everything above only reads: the write lock starts here. A savepoint only when
        # a clash on external_id is to be told apart below (a round trip otherwise).
        with transaction.atomic(savepoint=bool(external_id)):
            _ticket_write(
                ticket=ticket,
                actor=actor,
                staff=staff,
                content=content if first_message else None,
                tags=tags,
                cc_emails=cc_emails,
                now=now,
            )
            ticket_changed(
                TicketChange(
                    ticket=ticket,
                    kind=ChangeKind.CREATED,
                    actor=actor,
                    at=now,
                    message=ticket.first_message,
                )
            )
    except IntegrityError:
        if external_id and Ticket.objects.filter(external_id=external_id).exists():
            raise Conflict(  # a concurrent request took the same external_id
                TicketErrorCode.EXTERNAL_ID_TAKEN,
                _("A ticket with external_id %(external_id)s exists.")
                % {"external_id": repr(external_id)},
            ) from None
        raise
    return ticket


def _ticket_write(
    *,
    ticket: Ticket,
    actor: User | None,
    staff: bool,
    content: MessageContent | None,
    tags: list[str] | None,
    cc_emails: list[str] | None,
    now: dt.datetime,
) -> None:
    ticket.save()
    if tags:
        ticket.tags.set(tags_resolve(tags))
    if cc_emails:
        ticket.ccs.set([customer_get_or_create_by_email(email=e) for e in cc_emails if e.strip()])
    events = [
        event_row(ticket=ticket, actor=actor, kind=EventKind.CREATED, new=ticket.subject, at=now)
    ]
    if content is not None:
        message = message_store(
            ticket=ticket,
            role=AuthorRole.AGENT if staff else AuthorRole.CUSTOMER,
            author=actor,
            author_customer=None if staff else ticket.requester,
            is_public=True,
            content=content,
            channel=ticket.channel,
            at=now,
        )
        ticket.first_message = message
        events.append(
            event_row(
                ticket=ticket,
                actor=actor,
                kind=EventKind.MESSAGE,
                field="message",
                new=message.pk,
                at=now,
            )
        )
    events_record(events)


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User | None,
    changes: dict[str, Any],
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Change fields (subject, status, priority, type, assignee, team, tags, custom_fields).

    Every change is written to the event log with its old and new value. A write made
    on a stale ``expected_version`` is refused with a conflict.
    """
    if actor is not None and not actor.is_staff_member:
        allowed = {"status"}
        if set(changes) - allowed:
            raise PermissionDenied(_("Customers can only close or solve their own requests."))
        if changes.get("status") not in (TicketStatus.SOLVED, TicketStatus.CLOSED):
            raise PermissionDenied(_("Customers can only mark their request solved or closed."))
    now = at or timezone.now()
    fields: dict[str, Any] = {}
    events: list[tuple[str, object, object]] = []
    if "subject" in changes:
        subject = clean_subject(changes["subject"])
        if subject != ticket.subject:
            fields["subject"] = subject
            events.append(("subject", ticket.subject, subject))
    for name, choices, code in (
        ("priority", Priority.values, TicketErrorCode.INVALID_PRIORITY),
        ("type", TicketType.values, TicketErrorCode.INVALID_TYPE),
    ):
        if name in changes and changes[name] != getattr(ticket, name):
            fields[name] = choice_check(changes[name], choices, name, code)
            events.append((name, getattr(ticket, name), changes[name]))
    if "status" in changes and changes["status"] != ticket.status:
        fields.update(status_fields(ticket, changes["status"], now))
        events.append(("status", ticket.status, changes["status"]))
    if "assignee" in changes and changes["assignee"] != ticket.assignee:
        new = changes["assignee"]
        if new is not None and not new.is_staff_member:
            raise ValidationFailed(
                TicketErrorCode.NOT_STAFF, _("The assignee must be an agent."), field="assignee_id"
            )
        fields["assignee"] = new
        events.append(("assignee", ticket.assignee, new))
    if "team" in changes and changes["team"] != ticket.team:
        fields["team"] = changes["team"]
        events.append(("team", ticket.team, changes["team"]))
    if "custom_fields" in changes:
        merged = custom_fields_clean(
            entity=CustomFieldEntity.TICKET,
            values=changes["custom_fields"],
            current=ticket.custom_fields,
        )
        if merged != ticket.custom_fields:
            for key in sorted(set(merged) | set(ticket.custom_fields)):
                if merged.get(key) != ticket.custom_fields.get(key):
                    events.append(
                        (f"custom_fields.{key}", ticket.custom_fields.get(key), merged.get(key))
                    )
            fields["custom_fields"] = merged
    new_tags: list[Tag] | None = None
    if "tags" in changes:
        new_tags = tags_resolve(changes["tags"])
        old_names = sorted(ticket.tags.values_list("name", flat=True))
        if sorted(t.name for t in new_tags) != old_names:
            events.append(("tags", old_names, [t.name for t in new_tags]))
        else:
            new_tags = None
    if not events:
        if expected_version is not None and expected_version != ticket.version:
            ticket_save_checked(ticket=ticket, fields={}, expected_version=expected_version)
        return ticket
    ticket_save_checked(ticket=ticket, fields=fields, expected_version=expected_version, at=now)
    if new_tags is not None:
        ticket.tags.set(new_tags)
    events_record(
        [
            event_row(
                ticket=ticket,
                actor=actor,
                kind=EventKind.CHANGED,
                field=field,
                old=old,
                new=new,
                at=now,
            )
            for field, old, new in events
        ]
    )
    ticket_changed(
        TicketChange(
            ticket=ticket,
            kind=ChangeKind.UPDATED,
            actor=actor,
            at=now,
            fields={name: (old, new) for name, old, new in events},
        )
    )
    return ticket
