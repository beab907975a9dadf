"""The inbound pipeline on the real database: threading, safety, loops, bounces."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.automation.models import Rule
from caredesk.automation.services.rules import rule_save
from caredesk.channels.mail.filing import RATE_LIMIT
from caredesk.channels.mail.inbound import mail_ingest, mail_process_pending
from caredesk.channels.mail.outbound import AUTOMATIC_PER_HOUR, outbox_deliver
from caredesk.channels.mail.parsing import parse
from caredesk.channels.mail.store import inbound_store
from caredesk.channels.mail.tests.test_parsing import BOUNCE
from caredesk.channels.mail.thread import reply_address
from caredesk.channels.mail.trust import agent_reply_address, message_id
from caredesk.channels.models import InboundMail, Mailbox, MailThread, OutboundMessage
from caredesk.cli import main
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import CustomField
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.customers.models import ContactPoint
from caredesk.tickets.models import Ticket
from caredesk.tickets.services import message_add, ticket_merge, ticket_update

pytestmark = pytest.mark.django_db

SUPPORT = "support@desk.example"


def mail(
    *,
    sender: str = "Anna Smith <anna@example.org>",
    subject: str = "Router keeps dropping",
    body: str = "Hello,\nmy router drops the connection every hour.\n",
    msgid: str = "<m1@example.org>",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = headers.pop("To", SUPPORT)
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def we_answered(ticket: Ticket) -> str:
    """An agent answers on the ticket and the outbox sends it: the signed Message-ID a
    customer's mail program then puts in In-Reply-To/References."""
    message = message_add(ticket=ticket, author=UserFactory(), text="We are looking into it.")
    row = OutboundMessage.objects.get(message=message)
    msgid = message_id(f"{ticket.pk}.{message.pk}.{row.pk}", "desk.example")
    MailThread.objects.create(msgid=msgid, ticket=ticket, message=message, outbound=True)
    return msgid


@pytest.fixture
def box() -> Mailbox:
    return Mailbox.objects.create(name="Support", address=SUPPORT, team=TeamFactory(name="Mail"))


def test_a_new_request_opens_a_ticket_with_its_ccs_attachments_and_safe_html(box: Mailbox) -> None:
    msg = EmailMessage()
    msg["From"] = "Anna Smith <Anna@Example.org>"
    msg["To"] = SUPPORT
    msg["Cc"] = f"Bob <bob@example.org>, {SUPPORT}, support+t1-000000000000@desk.example"
    msg["Subject"] = "Invoice wrong"
    msg["Message-ID"] = "<new1@example.org>"
    msg.set_content("The invoice is wrong.\n\n-- \nAnna Smith\nACME")
    msg.add_alternative(
        '<p onclick="x()">The invoice is <b>wrong</b>.<script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif"></p>',
        subtype="html",
    )
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="inv.pdf")
    result = mail_ingest(raw=msg.as_bytes(), source="imap", mailbox=box)
    assert result.outcome == "created"
    ticket = Ticket.objects.get(pk=result.ticket)
    assert (ticket.channel, ticket.team, ticket.subject) == ("email", box.team, "Invoice wrong")
    assert ContactPoint.objects.get(customer=ticket.requester).value == "anna@example.org"
    ccs = [c.contacts.get().value for c in ticket.ccs.all()]
    assert ccs == ["bob@example.org"]  # caredesk's own addresses are not CCs
    message = ticket.messages.get()
    assert message.text == "The invoice is wrong."  # the signature is not the message
    assert "<b>wrong</b>" in message.html
    for bad in ("script", "onclick", "tracker.example"):
        assert bad not in message.html
    assert [a.filename for a in message.attachments.all()] == ["inv.pdf"]
    stored = InboundMail.objects.get()
    assert (stored.outcome, stored.ticket_id, stored.source) == ("created", ticket.pk, "imap")


def test_the_same_message_twice_is_recorded_once(box: Mailbox) -> None:
    first = mail_ingest(raw=mail(), mailbox=box)
    again = mail_ingest(raw=mail(), mailbox=box)  # the same bytes
    resent = mail_ingest(raw=mail(body="Hello again, same id\n"), mailbox=box)  # same id
    assert first.outcome == "created"
    assert (again.outcome, again.ticket) == ("duplicate", first.ticket)
    assert (resent.outcome, resent.ticket) == ("duplicate", first.ticket)
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.count() == 2  # both raw messages are kept


def test_a_reply_threads_by_references_and_reopens_a_solved_ticket(box: Mailbox) -> None:
    first = mail_ingest(raw=mail(), mailbox=box)
    ticket = Ticket.objects.get(pk=first.ticket)
    ours = we_answered(ticket)
    ticket_update(ticket=ticket, actor=UserFactory(), changes={"status": "solved"})
    reply = mail(
        subject="Re: Router keeps dropping",
        body="Still broken.\n\nOn Mon, Support wrote:\n> Try again\n",
        msgid="<m2@example.org>",
        In_Reply_To="<unknown@elsewhere>",
        References=f"<m1@example.org> {ours} <unknown@elsewhere>",
    )
    result = mail_ingest(raw=reply, mailbox=box)
    assert (result.outcome, result.ticket) == ("appended", ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.messages.order_by("id").last().text == "Still broken."


def test_a_stranger_replying_to_a_ticket_gets_a_ticket_of_their_own(box: Mailbox) -> None:
    first = mail_ingest(raw=mail(), mailbox=box)
    forged = mail(
        sender="mallory@evil.example",
        subject=f"Re: Router keeps dropping [#{first.ticket}]",
        msgid="<f1@evil.example>",
        References="<m1@example.org>",
    )
    result = mail_ingest(raw=forged, mailbox=box)
    assert result.outcome == "created"
    assert result.ticket != first.ticket
    assert result.reason is not None
    assert "not its requester" in result.reason
    assert Ticket.objects.get(pk=first.ticket).messages.count() == 1
    theirs = Ticket.objects.get(pk=result.ticket)
    assert theirs.requester.contacts.get().value == "mallory@evil.example"


def test_a_subject_reference_or_reply_address_threads_only_for_people_on_the_ticket(
    box: Mailbox,
) -> None:
    first = mail_ingest(raw=mail(), mailbox=box)
    # The subject alone is a claim: believed when the mailbox's MTA proves the sender.
    box.authserv_id = "mx.desk.example"
    box.save()
    by_subject = mail(
        subject=f"More [#{first.ticket}]",
        msgid="<s1@example.org>",
        Authentication_Results="mx.desk.example; dmarc=pass header.from=example.org",
    )
    assert mail_ingest(raw=by_subject, mailbox=box).ticket == first.ticket
    to = reply_address(SUPPORT, first.ticket or 0)
    by_address = mail(subject="No reference", msgid="<s2@example.org>", To=to)
    assert mail_ingest(raw=by_address, mailbox=box).ticket == first.ticket
    forged_to = to[:-20] + "000000000000@desk.example"
    wrong = mail(subject="No reference", msgid="<s3@example.org>", To=forged_to)
    assert mail_ingest(raw=wrong, mailbox=box).outcome == "created"  # bad signature


def test_an_agent_answering_by_email_writes_as_the_agent(box: Mailbox) -> None:
    agent = UserFactory(email="lena@desk.example")
    first = mail_ingest(raw=mail(), mailbox=box)
    to = agent_reply_address(SUPPORT, first.ticket or 0, agent.pk)
    answer = mail(sender=agent.email, msgid="<a1@desk.example>", To=to)
    result = mail_ingest(raw=answer, mailbox=box)
    message = Ticket.objects.get(pk=first.ticket).messages.get(pk=result.message)
    assert (message.author_role, message.author_user) == ("agent", agent)


def test_out_of_office_makes_no_ticket_and_bulk_mail_no_acknowledgement(box: Mailbox) -> None:
    box.auto_acknowledge = True
    box.save()
    away = mail(msgid="<ooo@example.org>", Auto_Submitted="auto-replied", subject="Out of office")
    assert mail_ingest(raw=away, mailbox=box).outcome == "ignored"
    assert Ticket.objects.count() == 0
    news = mail(msgid="<news@example.org>", List_Id="<news.example.org>", subject="Newsletter")
    created = mail_ingest(raw=news, mailbox=box)
    assert created.outcome == "created"
    assert OutboundMessage.objects.count() == 0
    person = mail_ingest(raw=mail(msgid="<p@example.org>"), mailbox=box)
    acknowledgement = OutboundMessage.objects.get()
    assert acknowledgement.message.ticket_id == person.ticket
    assert f"#{person.ticket}" in acknowledgement.message.text


@pytest.mark.parametrize(
    "headers",
    [{"Auto_Submitted": "auto-generated"}, {"Return_Path": "<>"}, {"Precedence": "list"}],
)
def test_mail_no_person_sent_opens_a_ticket_but_no_path_answers_it(
    box: Mailbox, headers: dict[str, str]
) -> None:
    """RFC 3834: neither the mailbox's acknowledgement nor a rule's reply goes to an
    alert, a message from the null return path or list mail."""
    box.auto_acknowledge = True
    box.save()
    rule_save(  # an acknowledgement rule written without the automatic condition
        name="Thanks", trigger="ticket.created", actions=[{"type": "reply", "text": "Thanks!"}]
    )
    result = mail_ingest(raw=mail(msgid="<alert@example.org>", **headers), mailbox=box)
    assert result.outcome == "created"
    first = Ticket.objects.get(pk=result.ticket).messages.get(author_role="customer")
    assert first.automatic in ("auto_submitted", "bulk")
    assert "never answer mail that no person sent" in (result.reason or "")
    row = OutboundMessage.objects.get()  # the rule's reply, refused by the outbox
    assert outbox_deliver(row_id=row.pk).outcome == "failed"
    row.refresh_from_db()
    assert "never answer mail that no person sent" in row.last_error
    # With the condition the demo's rule has, the rule does not even fire.
    rule_save(
        rule=Rule.objects.get(),
        conditions={"conditions": [{"field": "message.automatic", "op": "not_set"}]},
    )
    mail_ingest(raw=mail(msgid="<alert2@example.org>", **headers), mailbox=box)
    assert OutboundMessage.objects.count() == 1


def test_acknowledgements_to_one_sender_are_capped_per_hour(box: Mailbox) -> None:
    box.auto_acknowledge = True
    box.save()
    results = [
        mail_ingest(raw=mail(msgid=f"<n{i}@example.org>", subject=f"Question {i}"), mailbox=box)
        for i in range(AUTOMATIC_PER_HOUR + 2)
    ]
    assert OutboundMessage.objects.count() == AUTOMATIC_PER_HOUR
    assert all(r.outcome == "created" for r in results)
    assert f"had {AUTOMATIC_PER_HOUR} automatic messages within the hour" in (
        results[-1].reason or ""
    )
    other = mail_ingest(raw=mail(msgid="<b@example.org>", sender="bob@example.org"), mailbox=box)
    assert OutboundMessage.objects.filter(message__ticket_id=other.ticket).count() == 1


def test_an_import_keeps_each_messages_own_date_and_live_mail_its_arrival(box: Mailbox) -> None:
    old = mail(msgid="<old@example.org>", Date="Mon, 02 Jun 2003 20:58:30 +0200")
    ticket = Ticket.objects.get(pk=mail_ingest(raw=old, source="import", mailbox=box).ticket)
    first = ticket.messages.get()
    assert ticket.created_at == first.created_at
    assert first.created_at.isoformat() == "2003-06-02T18:58:30+00:00"
    reply = mail(msgid="<old2@example.org>", In_Reply_To=we_answered(ticket),
                 Date="Tue, 03 Jun 2003 08:00:00 +0000")  # fmt: skip
    mail_ingest(raw=reply, source="import", mailbox=box)
    answered = ticket.messages.filter(author_role="customer").order_by("id").last()
    assert answered is not None
    assert answered.created_at.isoformat() == "2003-06-03T08:00:00+00:00"
    future = mail(msgid="<future@example.org>", Date="Fri, 01 Jan 2100 00:00:00 +0000")
    later = mail_ingest(raw=future, source="import", mailbox=box)
    assert Ticket.objects.get(pk=later.ticket).created_at.year == timezone.now().year
    live = mail_ingest(raw=mail(msgid="<live@example.org>", Date="Mon, 02 Jun 2003 20:58:30 "
                                "+0200"), source="imap", mailbox=box)  # fmt: skip
    assert Ticket.objects.get(pk=live.ticket).created_at.year == timezone.now().year


def test_a_mail_loop_is_cut_by_the_rate_limit(box: Mailbox) -> None:
    outcomes = [
        mail_ingest(raw=mail(msgid=f"<loop{i}@example.org>", subject=f"Loop {i}"), mailbox=box)
        .outcome for i in range(RATE_LIMIT + 3)
    ]  # fmt: skip
    assert outcomes.count("created") == RATE_LIMIT
    assert outcomes[-1] == "ignored"


def test_a_bounce_of_our_message_marks_the_address_and_makes_no_ticket(box: Mailbox) -> None:
    ticket = Ticket.objects.get(pk=mail_ingest(raw=mail(sender="gone@example.org")).ticket)
    ours = we_answered(ticket)
    result = mail_ingest(raw=BOUNCE.replace(b"<out1@desk.example>", ours.encode()), mailbox=box)
    assert (result.outcome, result.ticket) == ("bounce", ticket.pk)
    assert ContactPoint.objects.get(customer=ticket.requester).undeliverable
    assert Ticket.objects.count() == 1
    assert ticket.events.filter(field="email_delivery").exists()


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(box: Mailbox) -> None:
    first = mail_ingest(raw=mail(), mailbox=box)
    closed = Ticket.objects.get(pk=first.ticket)
    ours = we_answered(closed)
    ticket_update(ticket=closed, actor=UserFactory(), changes={"status": "closed"})
    result = mail_ingest(raw=mail(msgid="<late@example.org>", References=ours))
    follow_up = Ticket.objects.get(pk=result.ticket)
    assert result.outcome == "created"
    assert follow_up.follow_up_of == closed


@override_settings(CAREDESK_MAX_ATTACHMENT_BYTES=100)
def test_attachments_over_the_limit_are_dropped_and_the_sender_told(box: Mailbox) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "anna@example.org", SUPPORT, "Big"
    msg["Message-ID"] = "<big@example.org>"
    msg.set_content("See the photo.")
    msg.add_attachment(b"x" * 500, maintype="image", subtype="jpeg", filename="photo.jpg")
    result = mail_ingest(raw=msg.as_bytes(), mailbox=box)
    ticket = Ticket.objects.get(pk=result.ticket)
    first = ticket.messages.order_by("id").first()
    assert first is not None
    assert first.text == "See the photo."
    assert first.attachments.count() == 0
    note = ticket.messages.get(is_public=False)
    assert "photo.jpg" in note.text
    assert OutboundMessage.objects.filter(message__ticket=ticket).count() == 1


def test_a_message_stored_before_a_crash_is_processed_once_afterwards(box: Mailbox) -> None:
    raw = mail(msgid="<crash@example.org>")
    inbound_store(raw=raw, read=parse(raw), source="imap", mailbox=box)  # then the crash
    assert Ticket.objects.count() == 0
    assert mail_process_pending() == 1
    assert mail_process_pending() == 0
    assert mail_ingest(raw=raw, mailbox=box).outcome == "duplicate"
    assert Ticket.objects.count() == 1
    assert MailThread.objects.filter(msgid="<crash@example.org>").count() == 1


@pytest.mark.django_db(transaction=True)
def test_caredesk_mail_import_prints_one_json_object_per_file(tmp_path: Path) -> None:
    files = []
    for name, raw in (
        ("new.eml", mail()),
        ("again.eml", mail()),
        ("auto.eml", mail(msgid="<auto@x>", Auto_Submitted="auto-replied")),
        ("notes.txt", b"shopping list: milk, eggs\n"),
    ):
        path = tmp_path / name
        path.write_bytes(raw)
        files.append(str(path))
    result = CliRunner().invoke(main, ["mail", "import", "--json", *files])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    assert [(Path(r["file"]).name, r["outcome"]) for r in rows] == [
        ("new.eml", "created"),
        ("again.eml", "duplicate"),
        ("auto.eml", "ignored"),
        ("notes.txt", "held"),
    ]
    assert rows[0]["ticket"] == rows[1]["ticket"]
    assert isinstance(rows[0]["message"], int)
    assert rows[3]["reason"]
    assert set(rows[0]) == {"file", "outcome", "ticket", "message", "reason"}


def test_staff_download_the_original_email_and_admins_manage_mailboxes(box: Mailbox) -> None:
    raw = mail(msgid="<orig@example.org>")
    result = mail_ingest(raw=raw, mailbox=box)
    agent = signed_in(UserFactory())
    page = agent.get(f"/tickets/{result.ticket}/")
    assert f"/mail/messages/{result.message}/original".encode() in page.content
    download = agent.get(f"/mail/messages/{result.message}/original")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == raw
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        signed_in(customer_user()).get(f"/mail/messages/{result.message}/original").status_code
        == 403
    )
    assert agent.get("/manage/mailboxes/").status_code == 403
    admin = signed_in(UserFactory(role=Role.ADMIN))
    assert b"support@desk.example" in admin.get("/manage/mailboxes/").content


def test_agents_read_what_was_written_this_time_and_can_open_the_whole_email(
    box: Mailbox,
) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "anna@example.org", SUPPORT, "Still broken"
    msg["Message-ID"] = "<quoted@example.org>"
    msg.set_content("It happened again.\n\nOn Mon, Support wrote:\n> Please restart it.\n")
    msg.add_alternative(
        "<p>It happened again.</p><blockquote>Please restart it.</blockquote>", subtype="html"
    )
    ticket = mail_ingest(raw=msg.as_bytes(), mailbox=box).ticket
    page = signed_in(UserFactory()).get(f"/tickets/{ticket}/").content.decode()
    visible, _, whole = page.partition("The whole email as sent")
    assert "It happened again." in visible
    assert "Please restart it." not in visible  # the quoted history is folded away…
    assert "<blockquote>Please restart it.</blockquote>" in whole  # …and one click away


def test_supervisors_review_held_mail_on_the_inbound_mail_screen(box: Mailbox) -> None:
    required = CustomField.objects.create(
        entity="ticket", key="contract", label="Contract", required=True
    )
    held = [mail_ingest(raw=mail(msgid=f"<h{i}@example.org>"), mailbox=box) for i in (1, 2)]
    assert [r.outcome for r in held] == ["held", "held"]
    ooo = mail(msgid="<ooo2@example.org>", subject="Out of office", Auto_Submitted="auto-replied")
    mail_ingest(raw=ooo, mailbox=box)
    first, second = InboundMail.objects.filter(outcome="held").order_by("id")
    assert signed_in(UserFactory()).get("/manage/mail/").status_code == 403
    supervisor = signed_in(UserFactory(role=Role.SUPERVISOR))
    page = supervisor.get("/manage/mail/").content.decode()
    assert "Held for an agent (2)" in page
    assert "Ignored (1)" in page
    assert "Custom field &#x27;contract&#x27; is required." in page  # why, on the row
    assert f"/manage/mail/{first.pk}/retry" in page
    assert "Out of office" not in page  # the held tab by default
    assert "Out of office" in supervisor.get("/manage/mail/?outcome=").content.decode()
    original = supervisor.get(f"/manage/mail/{first.pk}/original")
    assert b"".join(original.streaming_content) == mail(msgid="<h1@example.org>")
    # Still broken: retrying keeps it held and says why.
    response = supervisor.post(f"/manage/mail/{first.pk}/retry", follow=True)
    assert b"Still held" in response.content
    required.required = False
    required.save()
    response = supervisor.post(f"/manage/mail/{first.pk}/retry", follow=True)
    first.refresh_from_db()
    assert first.outcome == "created"
    assert first.ticket_id is not None
    assert f"Filed: New ticket (#{first.ticket_id})".encode() in response.content
    supervisor.post(f"/manage/mail/{second.pk}/dismiss")
    second.refresh_from_db()
    assert second.outcome == "ignored"
    assert second.reason.startswith("Dismissed by ")
    response = supervisor.post(f"/manage/mail/{second.pk}/dismiss", follow=True)
    assert b"not held" in response.content
    assert supervisor.post("/manage/mail/999999/retry").status_code == 404


def test_a_huge_subject_is_cut_and_an_unfileable_message_is_held_not_lost(box: Mailbox) -> None:
    long = mail(msgid="<long@example.org>", subject="Help " * 150)
    result = mail_ingest(raw=long, mailbox=box)
    assert result.outcome == "created"
    assert len(Ticket.objects.get(pk=result.ticket).subject) <= 250

    into = Ticket.objects.get(pk=result.ticket)
    other = Ticket.objects.get(pk=mail_ingest(raw=mail(msgid="<other@example.org>")).ticket)
    ours = we_answered(other)
    ticket_merge(source=other, target=into, actor=UserFactory())
    # a reply to the merged ticket lands on the one it was merged into
    reply = mail(msgid="<late2@example.org>", References=ours)
    assert mail_ingest(raw=reply, mailbox=box).ticket == into.pk


def test_a_message_the_desk_refuses_is_held_with_the_reason(
    box: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise ValidationFailed("invalid_subject", "A ticket needs a subject.")

    monkeypatch.setattr("caredesk.channels.mail.filing.ticket_create", refuse)
    result = mail_ingest(raw=mail(msgid="<held@example.org>"), mailbox=box)
    assert result.outcome == "held"
    assert "needs a subject" in (result.reason or "")
    stored = InboundMail.objects.get(msgid="<held@example.org>")
    assert (stored.outcome, stored.processed_at is not None) == ("held", True)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=600))
def test_hostile_mail_is_filed_or_refused_never_an_error(noise: bytes, at: int) -> None:
    """Random bytes (NUL and control characters included) spliced into a message, on
    SQLite and PostgreSQL: every outcome is one of the documented ones."""
    raw = mail(msgid="<fuzz@example.org>")
    result = mail_ingest(raw=raw[:at] + noise + raw[at:])
    assert result.outcome in {"created", "appended", "duplicate", "ignored", "bounce", "held",
                              "rejected"}  # fmt: skip
