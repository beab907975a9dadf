"""Forged bounces: a delivery report marks an address undeliverable only when it is
about a message caredesk sent to that address.

The reply-spoofing class (FreeScout CVE-2026-47123, Zammad #5064: trusting what a
message claims about itself) applied to delivery reports: a report from anyone, naming
any address, used to stop all mail to that customer. caredesk believes a report only
when it quotes one of its signed Message-IDs (channels.mail.trust) and the address is
the requester's or a CC's of that message's ticket.
"""

from __future__ import annotations

import pytest

from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.tests.test_inbound import SUPPORT, mail, we_answered
from caredesk.channels.mail.tests.test_parsing import BOUNCE
from caredesk.channels.models import Mailbox
from caredesk.customers.models import ContactPoint
from caredesk.customers.services import customer_get_or_create_by_email
from caredesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def report(quoting: str, recipient: str = "gone@example.org", report_type: bool = True) -> bytes:
    raw = BOUNCE.replace(b"<out1@desk.example>", quoting.encode())
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
