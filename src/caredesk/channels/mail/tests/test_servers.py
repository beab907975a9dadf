"""Mail against real servers: dovecot over IMAP in, aiosmtpd over SMTP out."""

from __future__ import annotations

import datetime as dt
import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone
from imapclient import IMAPClient

from caredesk.accounts.factories import UserFactory
from caredesk.accounts.services import user_email_notifications_set
from caredesk.automation.services.rules import rule_save
from caredesk.channels.mail.fetch import FetchError, mail_fetch
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.outbound import MAX_ATTEMPTS, outbox_due
from caredesk.channels.mail.receive import smtp_controller
from caredesk.channels.mail.tests.conftest import free_port
from caredesk.channels.mail.trust import agent_of_reply_address, return_path_of
from caredesk.channels.models import InboundMail, Mailbox, OutboundMessage
from caredesk.tickets.models import Ticket
from caredesk.tickets.services import message_add, ticket_update

pytestmark = pytest.mark.django_db


def eml(msgid: str, subject: str, body: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = headers.pop("From", "Anna Smith <anna@example.org>")
    msg["To"] = "support@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    for k, v in headers.items():
        msg[k.replace("_", "-")] = v
    msg.set_content(body)
    return msg.as_bytes()


def imap_box(server: Any, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Mailbox:
    monkeypatch.setenv("CAREDESK_TEST_IMAP_PASSWORD", server.password)
    return Mailbox.objects.create(
        name="Support",
        address="support@desk.example",
        imap_host=server.host,
        imap_port=server.port,
        imap_security="none",
        imap_user=server.user,
        imap_password_env="CAREDESK_TEST_IMAP_PASSWORD",
        **kw,
    )


def deliver(server: Any, *messages: bytes) -> None:
    with IMAPClient(server.host, port=server.port, ssl=False) as client:
        client.login(server.user, server.password)
        for raw in messages:
            client.append("INBOX", raw)


def test_imap_fetch_takes_each_message_once_and_flags_it(
    imap_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = imap_box(imap_server, monkeypatch, authserv_id="mx.desk.example")
    deliver(
        imap_server,
        eml("<i1@example.org>", "Printer on fire", "It is on fire."),
        eml(  # names only the customer's own first mail: believed as the MTA proves her
            "<i2@example.org>",
            "Re: Printer on fire",
            "Still burning.",
            References="<i1@example.org>",
            Authentication_Results="mx.desk.example; dmarc=pass header.from=example.org",
        ),
        eml("<i3@example.org>", "Out of office", "Back Monday.", Auto_Submitted="auto-replied"),
    )
    assert mail_fetch(mailbox=box) == 3
    assert mail_fetch(mailbox=box) == 0  # nothing new: the UIDs are remembered
    ticket = Ticket.objects.get()
    assert [m.text for m in ticket.messages.order_by("id")] == ["It is on fire.", "Still burning."]
    assert sorted(InboundMail.objects.values_list("outcome", flat=True)) == [
        "appended",
        "created",
        "ignored",
    ]

    with IMAPClient(imap_server.host, port=imap_server.port, ssl=False) as client:
        client.login(imap_server.user, imap_server.password)
        client.select_folder("INBOX")
        assert len(client.search(["UNSEEN"])) == 0


def test_a_new_uidvalidity_refetches_and_still_records_each_message_once(
    imap_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = imap_box(imap_server, monkeypatch)
    deliver(imap_server, eml("<v1@example.org>", "One", "1"), eml("<v2@example.org>", "Two", "2"))
    assert mail_fetch(mailbox=box) == 2
    Mailbox.objects.filter(pk=box.pk).update(uidvalidity=1)  # as if the folder was rebuilt
    box.refresh_from_db()
    assert mail_fetch(mailbox=box) == 2
    assert Ticket.objects.count() == 2
    assert InboundMail.objects.filter(outcome="created").count() == 2


def test_processed_mail_is_moved_when_a_folder_is_set(
    imap_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = imap_box(imap_server, monkeypatch, processed_folder="Processed")
    deliver(imap_server, eml("<p1@example.org>", "Move me", "x"))
    assert mail_fetch(mailbox=box) == 1

    with IMAPClient(imap_server.host, port=imap_server.port, ssl=False) as client:
        client.login(imap_server.user, imap_server.password)
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        assert client.select_folder("Processed")[b"EXISTS"] == 1


def test_a_wrong_password_is_a_clear_error(
    imap_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = imap_box(imap_server, monkeypatch)
    monkeypatch.setenv("CAREDESK_TEST_IMAP_PASSWORD", "wrong")
    with pytest.raises(FetchError, match=r"support@desk\.example"):
        mail_fetch(mailbox=box)


def smtp_box(server: Any) -> Mailbox:
    return Mailbox.objects.create(
        name="Support",
        address="support@desk.example",
        smtp_host=server.host,
        smtp_port=server.port,
        smtp_security="none",
        signature="The Support Team",
    )


def test_an_agents_reply_goes_out_over_smtp_and_the_answer_threads_back(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    first = mail_ingest(raw=eml("<r1@example.org>", "Router", "It drops."), mailbox=box)
    ticket = Ticket.objects.get(pk=first.ticket)
    agent = UserFactory(first_name="Lena")
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=agent, text="Please restart it.")
    assert len(smtp_server.received) == 1
    envelope = smtp_server.received[0]
    assert envelope.rcpt_tos == ["anna@example.org"]
    row = OutboundMessage.objects.get(message__ticket=ticket)
    assert return_path_of(envelope.mail_from) == ("m", row.pk)  # its own return path
    sent = message_from_bytes(envelope.content, policy=policy.default)
    assert sent["From"] == "Support <support@desk.example>"
    assert sent["Subject"] == f"Re: Router [#{ticket.pk}]"
    assert sent["In-Reply-To"] == "<r1@example.org>"
    assert "<r1@example.org>" in sent["References"]
    assert sent["Reply-To"].startswith(f"support+t{ticket.pk}-")
    body = sent.get_body(("plain",))
    assert body is not None
    assert "Please restart it." in body.get_content()
    assert "The Support Team" in body.get_content()
    row = OutboundMessage.objects.get()
    assert (row.status, row.attempts) == ("sent", 1)
    answer = eml("<r2@example.org>", "Re: Router", "Done, works.", In_Reply_To=sent["Message-ID"])
    assert mail_ingest(raw=answer, mailbox=box).ticket == ticket.pk


def test_a_refused_delivery_is_retried_then_sent(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    ticket = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<t1@x.org>", "Hi", "x"), mailbox=box).ticket
    )
    smtp_server.refuse = [451]
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=UserFactory(), text="Answer")
    row = OutboundMessage.objects.get()
    assert (row.status, row.attempts) == ("queued", 1)
    assert "451" in row.last_error
    assert outbox_due() == 0  # not yet
    assert outbox_due(now=timezone.now() + dt.timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(smtp_server.received) == 1


def test_a_delivery_that_keeps_failing_is_shown_on_the_ticket(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    ticket = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<k1@x.org>", "Hi", "x"), mailbox=box).ticket
    )
    smtp_server.refuse = [550] * MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=UserFactory(), text="Answer")
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS - 1):
        moment += dt.timedelta(days=1)
        outbox_due(now=moment)
    row = OutboundMessage.objects.get()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    event = ticket.events.get(field="email_delivery")
    assert "could not be sent" in event.new_value


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lmtp", [False, True])
def test_an_mta_delivers_over_smtp_or_lmtp_and_strangers_are_refused(lmtp: bool) -> None:
    box = Mailbox.objects.create(name="Support", address="support@desk.example")
    port = free_port()
    controller = smtp_controller(host="127.0.0.1", port=port, lmtp=lmtp)
    controller.start()
    try:
        client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)
        with client:
            raw = eml("<smtp1@example.org>", "Over SMTP", "Delivered by the MTA.")
            client.sendmail("anna@example.org", ["support@desk.example"], raw)
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("anna@example.org", ["nobody@desk.example"], raw)
    finally:
        controller.stop()
    stored = InboundMail.objects.get()
    assert (stored.source, stored.mailbox, stored.outcome) == ("smtp", box, "created")
    assert Ticket.objects.get().messages.get().text == "Delivered by the MTA."


def test_a_solved_notice_from_a_rule_goes_out_as_email(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    rule_save(
        name="Solved notice",
        trigger="ticket.updated",
        conditions={"conditions": [{"field": "status", "op": "changed_to", "value": "solved"}]},
        actions=[{"type": "reply", "text": "We consider #{{ticket.id}} solved."}],
    )
    ticket = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<s1@x.org>", "Hi", "x"), mailbox=box).ticket
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=UserFactory(), changes={"status": "solved"})
    sent = message_from_bytes(smtp_server.received[0].content, policy=policy.default)
    body = sent.get_body(("plain",))
    assert body is not None
    assert f"We consider #{ticket.pk} solved." in body.get_content()
    assert sent["Auto-Submitted"] == "auto-generated"


def test_an_agent_is_emailed_a_customer_message_and_answers_it_by_email(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The notice carries the agent's own signed reply address (proof that only the
    agent received it): answering it writes as the agent and reaches the customer; the
    same words from the agent's address without it are held."""
    box = smtp_box(smtp_server)
    agent = UserFactory(first_name="Lena", email="lena@desk.example")
    quiet = UserFactory(email="otto@desk.example")  # has not asked for email
    ticket = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<n1@example.org>", "Router", "It drops."), mailbox=box).ticket
    )
    ticket_update(ticket=ticket, actor=quiet, changes={"assignee": quiet})
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=None, author_customer=ticket.requester,
                    author_role="customer", text="Any news?")  # fmt: skip
    assert smtp_server.received == []  # Otto gets no email
    user_email_notifications_set(user=agent, enabled=True)
    ticket_update(ticket=ticket, actor=agent, changes={"assignee": agent})
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=None, author_customer=ticket.requester,
                    author_role="customer", text="It dropped again at 9:00.")  # fmt: skip
    [envelope] = smtp_server.received
    assert envelope.rcpt_tos == ["lena@desk.example"]
    notice = message_from_bytes(envelope.content, policy=policy.default)
    assert f"[#{ticket.pk}]" in notice["Subject"]
    assert agent_of_reply_address(notice["Reply-To"].addresses[0].addr_spec) == (
        ticket.pk,
        agent.pk,
    )
    body = notice.get_body(("plain",))
    assert body is not None
    assert "It dropped again at 9:00." in body.get_content()
    # Lena answers from her mail program.
    answer = eml("<lena1@desk.example>", f"Re: {notice['Subject']}", "Please restart it.",
                 From="Lena <lena@desk.example>", In_Reply_To=notice["Message-ID"])  # fmt: skip
    answer = answer.replace(b"To: support@desk.example", f"To: {notice['Reply-To']}".encode())
    with django_capture_on_commit_callbacks(execute=True):
        result = mail_ingest(raw=answer, mailbox=box)
    assert (result.outcome, result.ticket) == ("appended", ticket.pk)
    written = ticket.messages.get(pk=result.message)
    assert (written.author_user, written.author_role) == (agent, "agent")
    sent = message_from_bytes(smtp_server.received[-1].content, policy=policy.default)
    assert smtp_server.received[-1].rcpt_tos == ["anna@example.org"]
    assert "lena@desk.example" not in sent.as_string()  # her address stays hers
    # From her address but to the plain mailbox: anyone could write that.
    forged = eml("<lena2@desk.example>", f"Re: Router [#{ticket.pk}]", "Refund approved.",
                 From="Lena <lena@desk.example>")  # fmt: skip
    assert mail_ingest(raw=forged, mailbox=box).outcome == "held"


def test_a_relay_that_refuses_the_return_path_gets_the_plain_address(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    smtp_server.plain_senders_only = True
    box = smtp_box(smtp_server)
    ticket = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<p1@example.org>", "Router", "x"), mailbox=box).ticket
    )
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=UserFactory(), text="Please restart it.")
    [envelope] = smtp_server.received
    assert envelope.mail_from == "support@desk.example"
    assert OutboundMessage.objects.get(message__ticket=ticket).status == "sent"
