"""Mailboxes (admins) and the inbound mail log with held mail to retry or dismiss
(supervisors and admins) over JSON."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from caredesk.accounts.gates import admin_actor, supervisor_actor
from caredesk.channels.mail.inbound import inbound_dismiss as dismiss
from caredesk.channels.mail.inbound import inbound_retry as retry
from caredesk.channels.mail.mailboxes import mailbox_delete, mailbox_save
from caredesk.channels.models import InboundMail, Mailbox
from caredesk.core.api import found_or_404
from caredesk.core.schemas import InputSchema

router = Router(tags=["mail"])


class MailboxIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    address: str = Field(..., min_length=3, max_length=254, examples=["support@example.com"])
    team_id: int | None = Field(None, ge=1, le=2**63 - 1)
    active: bool = True
    imap_host: str = Field("", max_length=255)
    imap_port: int = Field(993, ge=1, le=65535)
    imap_security: str = Field("ssl", examples=["ssl"])
    imap_user: str = Field("", max_length=255)
    imap_password_env: str = Field("", max_length=100, examples=["CAREDESK_IMAP_PASSWORD"])
    imap_folder: str = Field("INBOX", min_length=1, max_length=200)
    processed_folder: str = Field("", max_length=200)
    smtp_host: str = Field("", max_length=255)
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: str = Field("starttls", examples=["starttls"])
    smtp_user: str = Field("", max_length=255)
    smtp_password_env: str = Field("", max_length=100, examples=["CAREDESK_SMTP_PASSWORD"])
    signature: str = Field("", max_length=5000)
    auto_acknowledge: bool = False
    authserv_id: str = Field("", max_length=255, examples=["mx.example.com"])
    unproven_replies: Literal["new", "hold"] = "new"


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    team_id: int | None
    active: bool
    imap_host: str
    imap_port: int
    imap_security: str
    imap_user: str
    imap_password_env: str
    imap_folder: str
    processed_folder: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_user: str
    smtp_password_env: str
    signature: str
    auto_acknowledge: bool
    authserv_id: str
    unproven_replies: str
    last_uid: int


class InboundOut(Schema):
    id: int
    msgid: str
    sender: str
    subject: str
    source: str
    mailbox_id: int | None
    size: int
    created_at: dt.datetime
    processed_at: dt.datetime | None
    outcome: str
    reason: str
    ticket_id: int | None
    message_id: int | None


def _box(mailbox_id: int) -> Mailbox:
    return found_or_404(Mailbox.objects.all(), mailbox_id, "mailbox")


@router.get("/mailboxes", response=list[MailboxOut])
def mailboxes(request: HttpRequest) -> list[Mailbox]:
    admin_actor(request)
    return list(Mailbox.objects.order_by("name", "id"))


@router.post("/mailboxes", response={201: MailboxOut})
def mailbox_create(request: HttpRequest, body: MailboxIn) -> Status[Mailbox]:
    admin_actor(request)
    return Status(201, mailbox_save(mailbox=None, data=body.model_dump()))


@router.put("/mailboxes/{mailbox_id}", response=MailboxOut)
def mailbox_replace(request: HttpRequest, mailbox_id: int, body: MailboxIn) -> Mailbox:
    admin_actor(request)
    return mailbox_save(mailbox=_box(mailbox_id), data=body.model_dump())


@router.delete("/mailboxes/{mailbox_id}", response={204: None})
def mailbox_remove(request: HttpRequest, mailbox_id: int) -> Status[None]:
    admin_actor(request)
    mailbox_delete(mailbox=_box(mailbox_id))
    return Status(204, None)


@router.get("/inbound", response=list[InboundOut])
def inbound(
    request: HttpRequest, outcome: str | None = None, limit: int = 100
) -> list[InboundMail]:
    """Received mail, newest first, with what became of each message and why
    (supervisors and admins)."""
    supervisor_actor(request)
    rows = InboundMail.objects.order_by("-id")
    if outcome:
        rows = rows.filter(outcome=outcome)
    return list(rows[: max(1, min(limit, 500))])


class RetryOut(Schema):
    outcome: str
    ticket_id: int | None
    message_id: int | None
    reason: str | None


@router.post("/inbound/{inbound_id}/retry", response=RetryOut)
def inbound_retry(request: HttpRequest, inbound_id: int) -> dict[str, object]:
    """File a held message again (409 if it is not held)."""

    supervisor_actor(request)
    result = retry(inbound=found_or_404(InboundMail.objects.all(), inbound_id, "message"))
    return {"outcome": result.outcome, "ticket_id": result.ticket,
            "message_id": result.message, "reason": result.reason}  # fmt: skip


@router.post("/inbound/{inbound_id}/dismiss", response=InboundOut)
def inbound_dismiss(request: HttpRequest, inbound_id: int) -> InboundMail:
    """Set a held message aside, kept and marked ignored (409 if it is not held)."""

    user = supervisor_actor(request)
    row = found_or_404(InboundMail.objects.all(), inbound_id, "message")
    return dismiss(inbound=row, actor=user)
