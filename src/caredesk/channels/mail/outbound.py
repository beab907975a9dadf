"""Deliver the outbox over SMTP: agents' replies, automatic messages and notices.

Each OutboundMessage row was written in the transaction of its message (by the outbox
reaction) and is sent after the commit through the leased outbox of core/outbox.py:
claimed first, so two workers never send it at once, retried with backoff, and failed
with its reason (recorded on the ticket) when it cannot be sent. The Message-ID is
derived from the row, so a repeat after a crash carries the same id and the customer's
mail program shows it once.
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
from django.db.models import Model
from django.utils import timezone

from caredesk.channels.mail.thread import SUBJECT_REF, reply_address, ticket_addresses
from caredesk.channels.mail.trust import message_id, return_path
from caredesk.channels.models import (
    InboundMail,
    Mailbox,
    MailThread,
    OutboundMessage,
    OutboundStatus,
)
from caredesk.core.outbox import Delivered, LeasedOutbox, Outcome, Undeliverable
from caredesk.core.storage import blob_open
from caredesk.customers.selectors import customer_emails
from caredesk.tickets.enums import AuthorRole, Automatic, EventKind
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import event_record

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

BACKOFF_SECONDS = (60, 300, 900, 3600, 4 * 3600, 12 * 3600)
SEND_TIMEOUT = 30
# A refusal or a network error: tried again later, without a traceback in the log.
SMTP_ERRORS = (smtplib.SMTPException, OSError)


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


# Automatic messages (acknowledgements, rules' notices) per customer and hour: beyond
# this, two programs answering each other stop.
AUTOMATIC_PER_HOUR = 5


def automatic_refusal(ticket: Ticket, *, before: int | None = None) -> str:
    """Why an automatic message must not go to the ticket's requester now, or "": the
    last thing the customer side sent was mail no person sent (auto-submitted, a null
    return path, bulk or list mail: RFC 3834), or they had AUTOMATIC_PER_HOUR automatic
    messages within the hour (outbox rows before ``before``, when given)."""
    last = (
        ticket.messages.filter(is_public=True, author_role=AuthorRole.CUSTOMER)
        .order_by("-created_at", "-id")
        .values_list("automatic", flat=True)
        .first()
    )
    if last:
        return (
            "Not sent: automatic messages never answer mail that no person sent "
            f"({Automatic(last).label}; RFC 3834)."
        )
    recent = OutboundMessage.objects.filter(
        message__author_role=AuthorRole.SYSTEM,
        message__ticket__requester_id=ticket.requester_id,
        created_at__gte=timezone.now() - dt.timedelta(hours=1),
        status__in=(OutboundStatus.QUEUED, OutboundStatus.SENT),
    )
    if before is not None:
        recent = recent.filter(pk__lt=before)
    if recent.count() >= AUTOMATIC_PER_HOUR:
        return (
            f"Not sent: the customer had {AUTOMATIC_PER_HOUR} automatic messages within the "
            "hour (a mail loop?)."
        )
    return ""


def _send_message(row: OutboundMessage) -> Delivered:
    if row.message.author_role == AuthorRole.SYSTEM:
        refusal = automatic_refusal(row.message.ticket, before=row.pk)
        if refusal:
            raise Undeliverable(refusal)
    email = message_build(row)
    send_with_return_path(mailbox_of(row.message.ticket), email)
    return Delivered(str(email.extra_headers["Message-ID"]))


def send_with_return_path(box: Mailbox | None, email: EmailMultiAlternatives) -> None:
    """Send with the message's own signed return path; to a server that refuses it as
    the sender (a relay that allows only the mailbox's own address), again from the
    mailbox's plain address: then only a quoted Message-ID ties a report to it."""
    try:
        smtp_connection_for(box).send_messages([email])
    except smtplib.SMTPSenderRefused:
        if box is None or email.from_email == box.address:
            raise
        logger.info("%s refused the return path %s; sent from the plain address",
                    box.smtp_host or "the SMTP server", email.from_email)  # fmt: skip
        email.from_email = box.address
        smtp_connection_for(box).send_messages([email])


def _message_done(row: OutboundMessage, outcome: Outcome) -> None:
    """Thread the Message-ID of a sent message; record on the ticket one that failed."""
    ticket = row.message.ticket
    if outcome.outcome == "sent":
        MailThread.objects.get_or_create(
            msgid=outcome.detail[:500],
            defaults={"ticket": ticket, "message": row.message, "outbound": True},
        )
    else:
        event_record(
            ticket=ticket,
            actor=None,
            kind=EventKind.CHANGED,
            field="email_delivery",
            new=f"message {row.message_id} could not be sent: {outcome.detail}"[:2000],
        )


def mail_outbox(
    model: type[M],
    send: Callable[[M], Delivered],
    on_done: Callable[[M, Outcome], None],
    related: tuple[str, ...],
) -> LeasedOutbox[M]:
    """An outbox that sends by SMTP (queued, sent, failed): this backoff, a lease past
    the send's timeout, SMTP refusals and network errors retried quietly."""
    return LeasedOutbox(
        model=model,
        send=send,
        pending=OutboundStatus.QUEUED,
        sent=OutboundStatus.SENT,
        failed=OutboundStatus.FAILED,
        backoff=BACKOFF_SECONDS,
        lease_seconds=SEND_TIMEOUT * 2,
        related=related,
        expected=SMTP_ERRORS,
        on_done=on_done,
    )


OUTBOX = mail_outbox(OutboundMessage, _send_message, _message_done, ("message__ticket__requester",))
MAX_ATTEMPTS = OUTBOX.max_attempts


def outbox_deliver(*, row_id: int, now: dt.datetime | None = None) -> Outcome:
    """One try at one queued message, if it is due and nobody else is sending it."""
    return OUTBOX.attempt(row_id=row_id, now=now)


class NoRecipient(Undeliverable):
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
        "Message-ID": message_id(f"{ticket.pk}.{message.pk}.{row.pk}", domain),
        "Auto-Submitted": "auto-generated" if message.author_role == "system" else "no",
        "X-Caredesk-Ticket": str(ticket.pk),
    }
    if box:  # the envelope sender is this message's own signed return path (VERP)
        headers["From"] = f"{box.name} <{sender}>"
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
        from_email=return_path(sender, "m", row.pk) if box else sender,
        to=[to],
        cc=[emails[c] for c in cc_ids if c in emails],
        reply_to=[reply_address(sender, ticket.pk)] if box else None,
        headers=headers,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments.all():
        try:
            data = blob_open(attachment.storage_path)
        except FileNotFoundError as exc:
            raise Undeliverable(
                f"The attachment {attachment.filename} is missing from storage."
            ) from exc
        email.attach(attachment.filename, data, attachment.content_type)
    return email


@dataclass(frozen=True)
class Sent:
    """What a delivery report's return path says we sent: on which ticket, to whom."""

    ticket_id: int | None
    recipients: frozenset[str]


# Who sent what under each kind of return path (channels.mail.trust.return_path): the
# outbox's messages here, survey invitations registered by the surveys app.
SENT_UNDER: dict[str, Callable[[int], Sent | None]] = {}


def sent_under(kind: str, find: Callable[[int], Sent | None]) -> None:
    """Register how to find what was sent under ``kind`` return paths."""
    SENT_UNDER[kind] = find


def _message_sent(row_id: int) -> Sent | None:
    row = OutboundMessage.objects.select_related("message__ticket").filter(pk=row_id).first()
    if row is None:
        return None
    ticket = row.message.ticket
    return Sent(ticket.pk, ticket_addresses(ticket))


sent_under("m", _message_sent)


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


def outbox_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due: first tries whose job was lost, and retries."""
    return OUTBOX.run_due(now=now, limit=limit)
