"""Imported history is written through the same message code as live messages: the
same length limit, attachment checks and storage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from caredesk.accounts.factories import UserFactory
from caredesk.core.errors import ValidationFailed
from caredesk.core.storage import blob_open
from caredesk.customers.factories import CustomerFactory
from caredesk.tickets.enums import AuthorRole, TicketStatus
from caredesk.tickets.models import Message, Ticket
from caredesk.tickets.services import AttachmentData
from caredesk.tickets.services.history import HistoryMessage, HistoryStatus, ticket_import_history
from caredesk.tickets.services.messages import MAX_TEXT

pytestmark = pytest.mark.django_db

START = timezone.now() - dt.timedelta(days=30)


def imported(events: list[HistoryMessage | HistoryStatus]) -> Ticket:
    return ticket_import_history(
        requester=CustomerFactory(),
        subject="Old case",
        created_at=START,
        channel="email",
        type="question",
        priority="normal",
        status=None,
        events=events,
    )


def said(text: str, *, at: int = 0, **kwargs: Any) -> HistoryMessage:
    return HistoryMessage(
        at=START + dt.timedelta(hours=at),
        author_role=AuthorRole.CUSTOMER,
        author_user=None,
        author_customer=None,
        text=text,
        **kwargs,
    )


def test_history_keeps_times_sanitises_html_and_stores_attachments() -> None:
    agent = UserFactory()
    data = b"%PDF-history"
    ticket = imported(
        [
            said(
                "",
                html="<p>Broken <script>alert(1)</script>since <b>Monday</b></p>",
                attachments=(AttachmentData("../../photo.pdf", "application/pdf; x=y", data),),
            ),
            HistoryMessage(
                at=START + dt.timedelta(hours=2),
                author_role=AuthorRole.AGENT,
                author_user=agent,
                author_customer=None,
                text="Fixed.",
            ),
            HistoryStatus(at=START + dt.timedelta(hours=3), status="solved", actor=agent),
        ]
    )
    first, answer = ticket.messages.order_by("created_at")
    assert "script" not in first.html
    assert "<b>Monday</b>" in first.html
    assert first.text.startswith("Broken")
    attachment = first.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("photo.pdf", "application/pdf")
    assert attachment.created_at == START
    assert blob_open(attachment.storage_path) == data
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SOLVED
    assert ticket.first_response_at == answer.created_at == START + dt.timedelta(hours=2)


def test_history_with_a_message_over_the_length_limit_stores_nothing() -> None:
    tickets, messages = Ticket.objects.count(), Message.objects.count()
    with pytest.raises(ValidationFailed, match="too long"):
        imported([said("fine"), said("x" * (MAX_TEXT + 1), at=1)])
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, messages)


@override_settings(CAREDESK_MAX_ATTACHMENT_BYTES=10)
def test_history_with_attachments_over_the_limit_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        imported([said("big", attachments=(AttachmentData("big.bin", "", b"x" * 11),))])
    assert exc.value.code == "attachment_too_large"


def test_an_empty_history_message_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        imported([said("   ")])
    assert exc.value.code == "empty_message"
