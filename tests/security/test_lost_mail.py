"""Lost mail: every byte that arrives is stored before anything can refuse it.

The class: a helpdesk that parses before it stores loses what its parser cannot read,
and one that marks a message done on the server before storing it loses it for good.
django-helpdesk's get_email stopped on a message with no text part
(django-helpdesk#1240) and could not fetch Gmail's delivery reports (#771); Odoo's
fetchmail marked as seen, so never fetched again, messages whose processing raised
(odoo/odoo#5705). caredesk stores the raw bytes first (an unreadable message is held
with the reason and can be retried), moves an IMAP mailbox's UID past a message only
once it is stored, and gives a message without a Message-ID one from its content that
does not depend on the route it took, so one message reaching two mailboxes is one.
"""

from __future__ import annotations

import smtplib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from imapclient import IMAPClient

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.channels.mail import inbound
from caredesk.channels.mail.fetch import mail_fetch
from caredesk.channels.mail.inbound import inbound_retry, mail_ingest
from caredesk.channels.mail.receive import smtp_controller
from caredesk.channels.mail.tests.conftest import free_port
from caredesk.channels.mail.tests.test_inbound import SUPPORT, mail
from caredesk.channels.mail.tests.test_servers import deliver, imap_box
from caredesk.channels.models import InboundMail, Mailbox
from caredesk.cli import main
from caredesk.core.storage import blob_open
from caredesk.core.testing import signed_in
from caredesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def nested(levels: int) -> bytes:
    """A message nested deeper than the standard library's parser can follow."""
    head = (
        b"From: Anna <anna@example.org>\r\nTo: support@desk.example\r\nSubject: Deep\r\n"
        b"Message-ID: <deep@example.org>\r\nMIME-Version: 1.0\r\n"
    )
    parts = [head]
    for i in range(levels):
        parts.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i))
    parts.append(b"Content-Type: text/plain\r\n\r\nhello\r\n")
    parts += [b"--b%d--\r\n" % i for i in reversed(range(levels))]
    return b"".join(parts)


DEEP = nested(3000)


@pytest.fixture
def box() -> Mailbox:
    return Mailbox.objects.create(name="Support", address=SUPPORT)


def test_a_message_the_parser_refuses_is_stored_held_and_shown(box: Mailbox) -> None:
    result = mail_ingest(raw=DEEP, mailbox=box)
    assert result.outcome == "held"
    row = InboundMail.objects.get()
    assert blob_open(row.storage_path) == DEEP  # every byte
    assert (row.outcome, row.sender, row.subject) == ("held", "Anna <anna@example.org>", "Deep")
    assert "Could not be read as an email" in row.reason
    page = signed_in(UserFactory(role=Role.SUPERVISOR)).get("/manage/mail/").content.decode()
    assert "Could not be read as an email" in page
    assert f"/manage/mail/{row.pk}/retry" in page
    # Retrying while it still cannot be read keeps it held, and stored.
    assert inbound_retry(inbound=row).outcome == "held"
    row.refresh_from_db()
    assert row.outcome == "held"
    assert Ticket.objects.count() == 0
    # The same bytes again are the same row.
    mail_ingest(raw=DEEP, mailbox=box)
    assert InboundMail.objects.count() == 1


def test_a_message_held_for_a_parser_failure_is_filed_once_the_parser_reads_it(
    box: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = mail(msgid="<bug@example.org>", subject="A parser bug")

    def broken(data: bytes) -> Any:  # a parser that fails on this message today
        raise AssertionError("a bug in the parser")

    monkeypatch.setattr(inbound, "parse", broken)
    assert mail_ingest(raw=raw, mailbox=box).outcome == "held"
    row = InboundMail.objects.get()
    assert "parser failed on it (AssertionError)" in row.reason
    monkeypatch.undo()  # the upgrade that fixes it
    result = inbound_retry(inbound=row)
    assert result.outcome == "created"
    row.refresh_from_db()
    assert (row.msgid, row.sender) == ("<bug@example.org>", "anna@example.org")
    assert Ticket.objects.get(pk=result.ticket).subject == "A parser bug"


def test_what_is_not_an_email_is_kept_and_only_nothing_is_refused(
    box: Mailbox, tmp_path: Path
) -> None:
    junk = b"\x89PNG\r\n\x1a\n not a message at all"
    assert mail_ingest(raw=junk, mailbox=box).outcome == "held"
    assert blob_open(InboundMail.objects.get().storage_path) == junk
    assert mail_ingest(raw=b"  \r\n", mailbox=box).outcome == "rejected"
    assert InboundMail.objects.count() == 1
    path = tmp_path / "deep.eml"
    path.write_bytes(DEEP)
    result = CliRunner().invoke(main, ["mail", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "held" in result.output
    assert InboundMail.objects.filter(outcome="held").count() == 2


@pytest.mark.django_db(transaction=True)  # the server's threads see the mailbox
def test_over_smtp_an_unreadable_message_is_accepted_only_once_stored() -> None:
    Mailbox.objects.create(name="Support", address=SUPPORT)
    port = free_port()
    controller = smtp_controller(host="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            refused = client.sendmail("anna@example.org", [SUPPORT], DEEP)
    finally:
        controller.stop()
    assert refused == {}  # 250: the MTA may forget it, caredesk has it
    row = InboundMail.objects.get()
    assert row.outcome == "held"
    assert blob_open(row.storage_path).replace(b"\r\n", b"\n") == DEEP.replace(b"\r\n", b"\n")


def test_imap_moves_past_a_message_only_once_it_is_stored(
    imap_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = imap_box(imap_server, monkeypatch)
    deliver(imap_server, mail(msgid="<i1@example.org>", subject="One"), DEEP,
            mail(msgid="<i3@example.org>", subject="Three"))  # fmt: skip
    # The server leaves out the second message's bytes in this fetch (as Exchange does
    # for some messages): the UID stops before it, and nothing after it is flagged.
    real_fetch = IMAPClient.fetch

    def fetch_leaving_out_uid_2(self: IMAPClient, uids: Any, *args: Any, **kw: Any) -> Any:
        data = real_fetch(self, uids, *args, **kw)
        data.pop(2, None)
        return data

    monkeypatch.setattr(IMAPClient, "fetch", fetch_leaving_out_uid_2)
    assert mail_fetch(mailbox=box) == 1
    box.refresh_from_db()
    assert box.last_uid == 1
    with IMAPClient(imap_server.host, port=imap_server.port, ssl=False) as client:
        client.login(imap_server.user, imap_server.password)
        client.select_folder("INBOX")
        assert client.search(["UNSEEN"]) == [2, 3]
    monkeypatch.setattr(IMAPClient, "fetch", real_fetch)
    assert mail_fetch(mailbox=box) == 2  # the next fetch takes it, read or not
    box.refresh_from_db()
    assert box.last_uid == 3
    outcomes = sorted(InboundMail.objects.values_list("outcome", flat=True))
    assert outcomes == ["created", "created", "held"]


def test_one_message_without_message_id_reaching_two_mailboxes_is_one_ticket() -> None:
    sales = Mailbox.objects.create(name="Sales", address="sales@desk.example")
    support = Mailbox.objects.create(name="Support", address=SUPPORT)
    body = (
        b"From: Anna <anna@example.org>\r\nTo: support@desk.example, sales@desk.example\r\n"
        b"Subject: No id\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello both.\r\n"
    )

    def route(to: str, hop: str) -> bytes:
        return (
            f"Return-Path: <anna@example.org>\r\nDelivered-To: {to}\r\nX-Original-To: {to}\r\n"
            f"Received: from {hop} by mx.desk.example; Mon, 23 Nov 2026 10:00:0{len(to) % 9} "
            "+0000\r\nAuthentication-Results: mx.desk.example; spf=pass\r\n"
            "X-Spam-Score: 0.1\r\n"
        ).encode() + body

    first = mail_ingest(raw=route("support@desk.example", "a.example"), mailbox=support)
    second = mail_ingest(raw=route("sales@desk.example", "b.example"), mailbox=sales)
    assert (first.outcome, second.outcome) == ("created", "duplicate")
    assert second.ticket == first.ticket
    assert InboundMail.objects.count() == 2  # both copies' bytes are kept
    other = body.replace(b"Hello both.", b"Hello again.")
    assert mail_ingest(raw=other, mailbox=support).outcome == "created"  # another message
