"""Add public messages and internal notes, with attachments."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from caredesk.core.html import html_to_text, sanitize_html
from caredesk.core.storage import blob_store
from caredesk.customers.models import Customer
from caredesk.tickets.changes import ChangeKind, TicketChange, role_of, ticket_changed
from caredesk.tickets.enums import AuthorRole, EventKind, TicketStatus
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Attachment, Message, Ticket
from caredesk.tickets.services.events import event_row, events_record, ticket_save_checked
from caredesk.tickets.services.facts import first_response_facts
from caredesk.tickets.services.status import status_fields

MAX_TEXT = 1_000_000


@dataclass(frozen=True)
class AttachmentData:
    filename: str
    content_type: str
    data: bytes


def clean_filename(name: str) -> str:
    """A safe display name: no path, no control characters, at most 255 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    if not base:
        return "attachment"
    stem, ext = os.path.splitext(base)
    return (stem[: 255 - len(ext[:20])] + ext[:20]) if len(base) > 255 else base


@dataclass(frozen=True)
class MessageContent:
    """A message's text, sanitised HTML and attachments, checked and ready to store."""

    text: str
    html: str
    attachments: list[AttachmentData]
    automatic: str = ""  # tickets.enums.Automatic: mail that no person sent


def message_content(
    *,
    text: str,
    html: str,
    attachments: list[AttachmentData] | None = None,
    automatic: str = "",
) -> MessageContent:
    """Sanitise and check what a message says. No database work: callers run it before
    they open a transaction, so the write lock is held for the inserts alone."""
    safe_html = sanitize_html(html or "")
    plain = (text or "").strip() or html_to_text(safe_html)
    files = attachments or []
    if len(plain) > MAX_TEXT:
        raise ValidationFailed(
            TicketErrorCode.EMPTY_MESSAGE, _("The message is too long."), field="text"
        )
    if not plain and not files:
        raise ValidationFailed(
            TicketErrorCode.EMPTY_MESSAGE, _("A message needs text or an attachment."), field="text"
        )
    limit: int = settings.CAREDESK_MAX_ATTACHMENT_BYTES
    total = sum(len(a.data) for a in files)
    if total > limit:
        raise ValidationFailed(
            TicketErrorCode.ATTACHMENT_TOO_LARGE,
            _("Attachments total %(total)s bytes; the limit is %(limit)s.")
            % {"total": total, "limit": limit},
            field="attachments",
        )
    return MessageContent(text=plain, html=safe_html, attachments=files, automatic=automatic)


def _store_attachments(message: Message, attachments: list[AttachmentData]) -> None:
    for item in attachments:
        blob = blob_store(data=item.data, namespace="attachments")
        content_type = (item.content_type or "application/octet-stream").split(";")[0].strip()
        Attachment.objects.create(
            message=message,
            filename=clean_filename(item.filename),
            content_type=content_type[:255] or "application/octet-stream",
            size=blob.size,
            sha256=blob.sha256,
            storage_path=blob.path,
            created_at=message.created_at,
        )


def message_store(
    *,
    ticket: Ticket,
    role: str,
    author: User | None,
    author_customer: Customer | None,
    is_public: bool,
    content: MessageContent,
    channel: str,
    at: dt.datetime,
    external_id: str | None = None,
) -> Message:
    """Insert one prepared message with its attachments (no status effects)."""
    message = Message.objects.create(
        ticket=ticket,
        author_role=role,
        author_user=author,
        author_customer=author_customer,
        is_public=is_public,
        channel=channel,
        text=content.text,
        html=content.html,
        created_at=at,
        updated_at=at,
        external_id=external_id,
        automatic=content.automatic,
    )
    if content.attachments:
        _store_attachments(message, content.attachments)
    return message


def message_add(
    *,
    ticket: Ticket,
    author: User | None,
    text: str = "",
    html: str = "",
    author_customer: Customer | None = None,
    author_role: str | None = None,
    is_public: bool = True,
    channel: str | None = None,
    attachments: list[AttachmentData] | None = None,
    created_at: dt.datetime | None = None,
    status_after: str | None = None,
    expected_version: int | None = None,
    external_id: str | None = None,
    automatic: str = "",
) -> Message:
    """Add a message to a ticket and apply what a reply means for its status.

    A customer's reply reopens a solved or pending ticket; an agent's first public reply
    records the first response and opens a new ticket. Internal notes are staff-only.
    A closed ticket takes no more messages (the caller opens a follow-up instead).
    """
    now = created_at or timezone.now()
    role = author_role or role_of(author)
    if role == AuthorRole.CUSTOMER and author_customer is None and author is not None:
        author_customer = author.customer
    if not is_public and role != AuthorRole.AGENT:
        raise PermissionDenied(_("Only agents can write internal notes."))
    if role == AuthorRole.AGENT and author is not None and not author.is_staff_member:
        raise PermissionDenied(_("Only agents can write as an agent."))
    if ticket.merged_into_id is not None:
        raise Conflict(
            TicketErrorCode.TICKET_MERGED,
            _("This ticket was merged into #%(merged_into_id)s.")
            % {"merged_into_id": ticket.merged_into_id},
            extra={"merged_into": ticket.merged_into_id},
        )
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(
            TicketErrorCode.TICKET_CLOSED, _("This ticket is closed; open a follow-up instead.")
        )
    content = message_content(text=text, html=html, attachments=attachments, automatic=automatic)
    with transaction.atomic():
        return _message_write(
            ticket=ticket,
            role=role,
            author=author,
            author_customer=author_customer,
            is_public=is_public,
            content=content,
            channel=channel or ticket.channel,
            now=now,
            status_after=status_after,
            expected_version=expected_version,
            external_id=external_id,
        )


def _message_write(
    *,
    ticket: Ticket,
    role: str,
    author: User | None,
    author_customer: Customer | None,
    is_public: bool,
    content: MessageContent,
    channel: str,
    now: dt.datetime,
    status_after: str | None,
    expected_version: int | None,
    external_id: str | None,
) -> Message:
    message = message_store(
        ticket=ticket,
        role=role,
        author=author,
        author_customer=author_customer,
        is_public=is_public,
        content=content,
        channel=channel,
        at=now,
        external_id=external_id,
    )
    fields = _status_effect(ticket, role=role, is_public=is_public, now=now)
    if status_after and role == AuthorRole.AGENT and status_after != ticket.status:
        fields.update(status_fields(ticket, status_after, now))
    if fields.get("status", ticket.status) != ticket.status:
        fields["status_changed_at"] = now
    old_status = ticket.status
    answered = "first_response_at" in fields
    ticket_save_checked(ticket=ticket, fields=fields, expected_version=expected_version, at=now)
    kind = EventKind.MESSAGE if is_public else EventKind.NOTE
    events = [
        event_row(ticket=ticket, actor=author, kind=kind, field="message", new=message.pk, at=now)
    ]
    if ticket.status != old_status:
        events.append(
            event_row(
                ticket=ticket,
                actor=author,
                kind=EventKind.CHANGED,
                field="status",
                old=old_status,
                new=ticket.status,
                at=now,
            )
        )
    events_record(events)
    moved: dict[str, tuple[Any, Any]] = {}
    if ticket.status != old_status:
        moved["status"] = (old_status, ticket.status)
    if answered:
        moved["first_response_at"] = (None, ticket.first_response_at)
    ticket_changed(
        TicketChange(
            ticket=ticket,
            kind=ChangeKind.MESSAGE,
            actor=author,
            actor_role=role,
            at=now,
            fields=moved,
            message=message,
        )
    )
    return message


def _status_effect(
    ticket: Ticket, *, role: str, is_public: bool, now: dt.datetime
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if not is_public:
        return fields
    if role == AuthorRole.CUSTOMER and ticket.status in (TicketStatus.SOLVED, TicketStatus.PENDING):
        fields.update(status="open", solved_at=None)
    if role == AuthorRole.AGENT:
        if (
            ticket.first_response_at is None
            and ticket.messages.filter(author_role=AuthorRole.CUSTOMER).exists()
        ):
            fields.update(first_response_facts(ticket, now))
        if ticket.status == TicketStatus.NEW:
            fields["status"] = TicketStatus.OPEN
    return fields
