"""The leased outbox (core/outbox.py) as the mail outbox uses it, against a real SMTP
server: a row that can never be sent fails with its reason and never holds back the
rows after it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from caredesk.accounts.factories import UserFactory
from caredesk.channels.mail import outbound
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.outbound import MAX_ATTEMPTS, OUTBOX, outbox_due
from caredesk.channels.mail.tests.test_servers import eml, smtp_box
from caredesk.channels.models import OutboundMessage
from caredesk.surveys.delivery import surveys_due
from caredesk.surveys.services import survey_invite
from caredesk.tickets.models import Ticket
from caredesk.tickets.services import AttachmentData, message_add

pytestmark = pytest.mark.django_db


def mailed_ticket(box: Any, msgid: str) -> Ticket:
    return Ticket.objects.get(pk=mail_ingest(raw=eml(msgid, "Hi", "x"), mailbox=box).ticket)


def test_a_message_whose_attachment_is_gone_fails_with_its_reason_and_the_next_is_sent(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    first, second = mailed_ticket(box, "<o1@x.org>"), mailed_ticket(box, "<o2@x.org>")
    agent = UserFactory()
    smtp_server.refuse = [451, 451]  # both first tries fail: both wait for the sweep
    with django_capture_on_commit_callbacks(execute=True):
        message_add(
            ticket=first,
            author=agent,
            text="The invoice",
            attachments=[AttachmentData("invoice.pdf", "application/pdf", b"%PDF-outbox-1")],
        )
        message_add(ticket=second, author=agent, text="Answer")
    broken = OutboundMessage.objects.get(message__ticket=first)
    attachment = broken.message.attachments.get()
    default_storage.delete(attachment.storage_path)

    assert outbox_due(now=timezone.now() + dt.timedelta(minutes=2)) == 2

    broken.refresh_from_db()
    assert broken.status == "failed"
    assert "invoice.pdf is missing from storage" in broken.last_error
    assert broken.next_attempt_at is None
    event = first.events.get(field="email_delivery")
    assert "invoice.pdf is missing" in event.new_value
    assert OutboundMessage.objects.get(message__ticket=second).status == "sent"
    assert len(smtp_server.received) == 1


def test_an_unexpected_error_is_a_failed_try_and_does_not_stop_the_sweep(
    smtp_server: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = smtp_box(smtp_server)
    first, second = mailed_ticket(box, "<u1@x.org>"), mailed_ticket(box, "<u2@x.org>")
    agent = UserFactory()
    smtp_server.refuse = [451, 451]
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=first, author=agent, text="One")
        message_add(ticket=second, author=agent, text="Two")
    doomed = OutboundMessage.objects.get(message__ticket=first).pk
    real_send = OUTBOX.send

    def send(row: OutboundMessage) -> Any:
        if row.pk == doomed:
            raise KeyError("a template variable")
        return real_send(row)

    monkeypatch.setattr(outbound, "OUTBOX", dataclasses.replace(OUTBOX, send=send))
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        moment += dt.timedelta(days=1)
        outbox_due(now=moment)
    row = OutboundMessage.objects.get(pk=doomed)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.last_error == "KeyError: 'a template variable'"
    assert OutboundMessage.objects.get(message__ticket=second).status == "sent"


def test_a_row_whose_sender_died_on_its_last_try_gives_up_when_the_lease_runs_out(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    ticket = mailed_ticket(box, "<d1@x.org>")
    smtp_server.refuse = [451]
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=UserFactory(), text="Answer")
    # The last try was claimed and its worker never came back.
    lease_end = timezone.now() + dt.timedelta(seconds=60)
    OutboundMessage.objects.update(attempts=MAX_ATTEMPTS, next_attempt_at=lease_end)
    row_id = OutboundMessage.objects.get().pk

    assert outbound.outbox_deliver(row_id=row_id).outcome == "busy"  # still leased
    assert outbox_due(now=lease_end + dt.timedelta(seconds=1)) == 1

    row = OutboundMessage.objects.get()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.last_error.startswith(f"Gave up after {MAX_ATTEMPTS} tries: ")
    assert "451" in row.last_error
    assert smtp_server.received == []


def test_a_survey_invitation_that_cannot_be_sent_is_recorded_on_its_ticket(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    ticket = mailed_ticket(box, "<s1@x.org>")
    smtp_server.refuse = [550] * MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        invitation = survey_invite(kind="csat", customer=ticket.requester, ticket=ticket)
    assert invitation is not None
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS - 1):
        moment += dt.timedelta(days=1)
        surveys_due(now=moment)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("failed", MAX_ATTEMPTS)
    assert "550" in invitation.last_error
    event = ticket.events.get(field="survey_delivery")
    assert event.new_value.startswith("the CSAT survey could not be sent: ")
