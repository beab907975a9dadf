"""Forged bounces: a delivery report marks an address undeliverable only when it is
about a message caredesk sent to that address.

The reply-spoofing class (FreeScout CVE-2026-47123, Zammad #5064: trusting what a
message claims about itself) applied to delivery reports: a report from anyone, naming
any address, used to stop all mail to that customer. caredesk believes a report only
when it comes back to the signed return path of one message it sent (VERP), or quotes
one of its signed Message-IDs (channels.mail.trust), and the address is one that
message went to: the requester's or a CC's of its ticket, a survey invitation's
recipient.
"""

from __future__ import annotations

import pytest

from caredesk.accounts.factories import UserFactory
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.outbound import message_build
from caredesk.channels.mail.tests.test_inbound import SUPPORT, mail, we_answered
from caredesk.channels.mail.tests.test_parsing import BOUNCE
from caredesk.channels.mail.trust import return_path
from caredesk.channels.models import Mailbox, OutboundMessage
from caredesk.customers.models import ContactPoint
from caredesk.customers.services import customer_get_or_create_by_email
from caredesk.surveys.models import SurveyInvitation
from caredesk.tickets.models import Ticket, TicketEvent
from caredesk.tickets.services import message_add

pytestmark = pytest.mark.django_db


def report(
    quoting: str,
    recipient: str = "gone@example.org",
    report_type: bool = True,
    to: str = SUPPORT,
) -> bytes:
    raw = BOUNCE.replace(b"<out1@desk.example>", quoting.encode())
    raw = raw.replace(b"To: support@desk.example", f"To: {to}".encode())
    raw = raw.replace(b"Gone@Example.org", recipient.encode())
    if not report_type:
        raw = raw.replace(b"report-type=delivery-status; ", b"")
    return raw


@pytest.fixture
def box() -> Mailbox:
    return Mailbox.objects.create(name="Support", address=SUPPORT)


def undeliverable(email: str) -> bool:
    return ContactPoint.objects.get(value=email).undeliverable


def test_a_forged_report_naming_a_customer_changes_nothing(box: Mailbox) -> None:
    customer_get_or_create_by_email(email="anna@example.org")
    result = mail_ingest(raw=report("<whatever@evil.example>", "anna@example.org"), mailbox=box)
    assert result.outcome == "bounce"
    assert "Not believed for anna@example.org" in (result.reason or "")
    assert not undeliverable("anna@example.org")


def test_a_guessed_message_id_of_ours_proves_nothing(box: Mailbox) -> None:
    ticket = Ticket.objects.get(pk=mail_ingest(raw=mail(), mailbox=box).ticket)
    guessed = f"<caredesk.{ticket.pk}.1.1.{'0' * 16}@desk.example>"
    mail_ingest(raw=report(guessed, "anna@example.org"), mailbox=box)
    assert not undeliverable("anna@example.org")


def test_a_real_message_id_of_ours_proves_nothing_for_someone_else(box: Mailbox) -> None:
    ticket = Ticket.objects.get(pk=mail_ingest(raw=mail(), mailbox=box).ticket)
    customer_get_or_create_by_email(email="bob@example.org")
    ours = we_answered(ticket)  # sent to Anna: a report about Bob is not about it
    mail_ingest(raw=report(ours, "bob@example.org"), mailbox=box)
    assert not undeliverable("bob@example.org")
    assert not undeliverable("anna@example.org")


def test_a_report_about_our_message_marks_the_address_even_without_report_type(
    box: Mailbox,
) -> None:
    ticket = Ticket.objects.get(pk=mail_ingest(raw=mail(), mailbox=box).ticket)
    ours = we_answered(ticket)
    result = mail_ingest(raw=report(ours, "anna@example.org", report_type=False), mailbox=box)
    assert (result.outcome, result.ticket) == ("bounce", ticket.pk)
    assert undeliverable("anna@example.org")


def test_a_report_to_a_messages_signed_return_path_marks_who_it_went_to(box: Mailbox) -> None:
    ticket = Ticket.objects.get(pk=mail_ingest(raw=mail(), mailbox=box).ticket)
    reply = message_add(ticket=ticket, author=UserFactory(), text="On it.")
    row = OutboundMessage.objects.get(message=reply)
    envelope_sender = message_build(row).from_email  # the SMTP MAIL FROM
    assert envelope_sender == return_path(SUPPORT, "m", row.pk)
    # Many servers quote no Message-ID: the return path alone says which message failed.
    result = mail_ingest(
        raw=report("<unknown@mx.example.org>", "anna@example.org", to=envelope_sender),
        mailbox=box,
    )
    assert (result.outcome, result.ticket) == ("bounce", ticket.pk)
    assert undeliverable("anna@example.org")
    assert TicketEvent.objects.filter(ticket=ticket, field="email_delivery").exists()


def test_a_return_path_with_a_forged_signature_proves_nothing(box: Mailbox) -> None:
    ticket = Ticket.objects.get(pk=mail_ingest(raw=mail(), mailbox=box).ticket)
    reply = message_add(ticket=ticket, author=UserFactory(), text="On it.")
    row = OutboundMessage.objects.get(message=reply)
    forged = return_path(SUPPORT, "m", row.pk)[: -len("@desk.example") - 1] + "0@desk.example"
    mail_ingest(raw=report("<x@mx.example.org>", "anna@example.org", to=forged), mailbox=box)
    assert not undeliverable("anna@example.org")
    other = return_path(SUPPORT, "m", row.pk)  # real, but Bob was not sent this message
    customer_get_or_create_by_email(email="bob@example.org")
    mail_ingest(raw=report("<y@mx.example.org>", "bob@example.org", to=other), mailbox=box)
    assert not undeliverable("bob@example.org")


def test_a_survey_invitations_report_marks_its_recipient(box: Mailbox) -> None:
    ticket = Ticket.objects.get(pk=mail_ingest(raw=mail(), mailbox=box).ticket)
    invitation = SurveyInvitation.objects.create(
        kind="csat", customer=ticket.requester, ticket=ticket, email="anna@example.org"
    )
    to = return_path(SUPPORT, "s", invitation.pk)
    mail_ingest(raw=report("<z@mx.example.org>", "anna@example.org", to=to), mailbox=box)
    assert undeliverable("anna@example.org")
