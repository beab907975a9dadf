"""Deliver the outbox over SMTP: agents' replies, automatic messages and notices.

Each OutboundMessage row was written in the transaction of its message. A job sends it
after the commit; the row is claimed first (its next attempt pushed past the send's
timeout), so two workers never send it at once, and a worker that dies mid-send leaves
a claim that runs out. The Message-ID is derived from the row, so a repeat after a
crash carries the same id and the customer's mail program shows it once. Failures are
retried with backoff; the last one is recorded on the ticket.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from caredesk.channels.mail.thread import SUBJECT_REF, reply_address
from caredesk.channels.models import (
    InboundMail,
    Mailbox,
    MailThread,
    OutboundMessage,
    OutboundStatus,
)
from caredesk.core.storage import blob_open
from caredesk.customers.selectors import customer_emails
from caredesk.tickets.enums import EventKind
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import event_record

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = (60, 300, 900, 3600, 4 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
SEND_TIMEOUT = 30


@dataclass(frozen=True)
class Sent:
    outcome: str  # sent, retry, failed, busy, done
    detail: str = ""


def mailbox_of(ticket: Ticket) -> Mailbox | None:
    """The mailbox the ticket's mail came to, else the first active one."""
    first = (
        InboundMail.objects.filter(ticket=ticket, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("id")
        .first()
    )
    if first is not None and first.mailbox is not None:
        return first.mailbox
    return Mailbox.objects.filter(active=True).order_by("id").first()


def outbox_deliver(*, row_id: int, now: dt.datetime | None = None) -> Sent:
    now = now or timezone.now()
    row, sent = smtp_attempt(
        model=OutboundMessage,
        row_id=row_id,
        now=now,
        send=_send_message,
        related=("message__ticket__requester",),
    )
    if row is None or sent.outcome not in ("sent", "failed"):
        return sent
    if sent.outcome == "sent":
        return _finish(row, OutboundStatus.SENT, "", msgid=sent.detail)
    return _finish(row, OutboundStatus.FAILED, sent.detail)


def _send_message(row: OutboundMessage) -> str:
    email = message_build(row)
    smtp_connection_for(mailbox_of(row.message.ticket)).send_messages([email])
    return str(email.extra_headers["Message-ID"])


M = TypeVar("M", bound=Model)


def smtp_attempt(
    *,
    model: type[M],
    row_id: int,
    now: dt.datetime,
    send: Callable[[M], str],
    related: tuple[str, ...] = (),
) -> tuple[M | None, Sent]:
    """One try at a queued row of an outbox (a model with status, attempts,
    next_attempt_at and last_error): claimed first (its next attempt pushed past the
    send's timeout), so two workers never send it at once; ``send`` returns the
    Message-ID. An SMTP error schedules the next try with backoff; a NoRecipient, or
    the last try failing, is "failed". The caller records "sent" and "failed"."""
    rows = model._default_manager
    claim_until = now + dt.timedelta(seconds=SEND_TIMEOUT * 2)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = rows.filter(due, pk=row_id, status=OutboundStatus.QUEUED).update(
        next_attempt_at=claim_until, attempts=F("attempts") + 1, updated_at=now
    )
    row = rows.select_related(*related).filter(pk=row_id).first()
    if row is None or getattr(row, "status", None) != OutboundStatus.QUEUED:
        return row, Sent("done")
    if not claimed:
        return row, Sent("busy")
    try:
        msgid = send(row)
    except NoRecipient as exc:
        return row, Sent("failed", str(exc))
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        attempts: int = getattr(row, "attempts", MAX_ATTEMPTS)
        if attempts >= MAX_ATTEMPTS:
            return row, Sent("failed", error)
        wait = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
        rows.filter(pk=row_id).update(
            next_attempt_at=timezone.now() + dt.timedelta(seconds=wait), last_error=error
        )
        return row, Sent("retry", error)
    return row, Sent("sent", msgid)


def _finish(row: OutboundMessage, status: str, error: str, msgid: str = "") -> Sent:
    now = timezone.now()
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=row.pk).update(
            status=status,
            sent_at=now if status == OutboundStatus.SENT else None,
            last_error=error,
            next_attempt_at=None,
            updated_at=now,
        )
        ticket = row.message.ticket
        if msgid:
            MailThread.objects.get_or_create(
                msgid=msgid[:500],
                defaults={"ticket": ticket, "message": row.message, "outbound": True},
            )
        if status == OutboundStatus.FAILED:
            event_record(
                ticket=ticket,
                actor=None,
                kind=EventKind.CHANGED,
                field="email_delivery",
                new=f"message {row.message_id} could not be sent: {error}"[:2000],
            )
    return Sent(status, error)


class NoRecipient(Exception):
    """Nobody to send to: the requester has no deliverable address."""


def deliverable_email(customer_id: int) -> str | None:
    """The customer's address that can receive mail (the primary one first), if any."""
    return customer_emails(customer_ids=[customer_id], deliverable=True).get(customer_id)


def message_build(row: OutboundMessage) -> EmailMultiAlternatives:
    """The email of an outbox row, with the headers that make the answer thread."""
    message = row.message
    ticket = message.ticket
    box = mailbox_of(ticket)
    sender = box.address if box else settings.DEFAULT_FROM_EMAIL
    domain = sender.rsplit("@", 1)[-1].strip(">") or "caredesk.invalid"
    cc_ids = list(ticket.ccs.values_list("pk", flat=True))
    emails = customer_emails(customer_ids=[ticket.requester_id, *cc_ids], deliverable=True)
    to = emails.get(ticket.requester_id)
    if not to:
        raise NoRecipient(
            "The requester has no email address that can receive mail (missing or bounced)."
        )
    thread = list(
        MailThread.objects.filter(ticket=ticket).order_by("created_at", "id")
        .values_list("msgid", "outbound")
    )  # fmt: skip
    inbound = [m for m, outbound in thread if not outbound]
    subject = (
        ticket.subject if SUBJECT_REF.search(ticket.subject) else f"{ticket.subject} [#{ticket.pk}]"
    )
    headers = {
        "Message-ID": f"<caredesk.{ticket.pk}.{message.pk}.{row.pk}@{domain}>",
        "Auto-Submitted": "auto-generated" if message.author_role == "system" else "no",
        "X-Caredesk-Ticket": str(ticket.pk),
    }
    if inbound:
        headers["In-Reply-To"] = inbound[-1]
    if thread:
        headers["References"] = " ".join(m for m, _ in thread[-20:])
    text = message.text
    if box and box.signature and message.author_role != "system":
        text += "\n\n-- \n" + box.signature
    email = EmailMultiAlternatives(
        subject=f"Re: {subject}" if inbound else subject,
        body=text,
        from_email=f"{box.name} <{sender}>" if box else sender,
        to=[to],
        cc=[emails[c] for c in cc_ids if c in emails],
        reply_to=[reply_address(sender, ticket.pk)] if box else None,
        headers=headers,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments.all():
        email.attach(
            attachment.filename, blob_open(attachment.storage_path), attachment.content_type
        )
    return email


def smtp_connection_for(box: Mailbox | None):  # type: ignore[no-untyped-def]  # Django's backend
    """The mailbox's SMTP server, else the site's EMAIL_URL."""
    if box is None or not box.smtp_host:
        return get_connection(timeout=SEND_TIMEOUT)
    password = os.environ.get(box.smtp_password_env, "") if box.smtp_password_env else ""
    return get_connection(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host=box.smtp_host,
        port=box.smtp_port,
        username=box.smtp_user or None,
        password=password or None,
        use_tls=box.smtp_security == "starttls",
        use_ssl=box.smtp_security == "ssl",
        timeout=SEND_TIMEOUT,
    )


def queued_due(model: type[Model], *, now: dt.datetime, limit: int) -> list[int]:
    """Ids of an outbox's queued rows that are due: first tries whose job was lost, and
    retries whose time has come."""
    return list(
        model._default_manager.filter(status=OutboundStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due: first tries whose job was lost, and retries."""
    now = now or timezone.now()
    due = queued_due(OutboundMessage, now=now, limit=limit)
    return sum(
        outbox_deliver(row_id=pk, now=now).outcome in ("sent", "retry", "failed") for pk in due
    )
