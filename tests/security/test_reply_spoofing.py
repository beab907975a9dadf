"""Reply spoofing: mail that claims to come from an agent or a customer and names a
ticket is written as them only with proof, and never relayed.

The class of FreeScout CVE-2026-47123 (a forged From of an agent plus "[#123]" in the
subject is written on the ticket as the agent and emailed to the customer) and Zammad
#5064 (follow-ups matched by subject and guessable Message-IDs). caredesk's own
Message-IDs and reply addresses are signed (channels.mail.trust); a From header, a
subject reference or a Message-ID that caredesk merely received prove nothing.
"""

from __future__ import annotations

import pytest

from caredesk.accounts.factories import UserFactory
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.tests.test_inbound import SUPPORT, mail, we_answered
from caredesk.channels.mail.trust import agent_reply_address, message_id, message_id_ours
from caredesk.channels.models import InboundMail, Mailbox, OutboundMessage
from caredesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

MTA = "mx.desk.example"


@pytest.fixture
def box() -> Mailbox:
    return Mailbox.objects.create(name="Support", address=SUPPORT, authserv_id=MTA)


@pytest.fixture
def ticket(box: Mailbox) -> Ticket:
    return Ticket.objects.get(pk=mail_ingest(raw=mail(), mailbox=box).ticket)


def test_a_forged_agent_with_the_subject_reference_is_held_not_written_nor_sent(
    box: Mailbox, ticket: Ticket
) -> None:
    agent = UserFactory(email="lena@desk.example")
    outbox = OutboundMessage.objects.count()
    forged = mail(
        sender=f"Lena <{agent.email}>",
        subject=f"Re: Router keeps dropping [#{ticket.pk}]",
        body="Please send your password to reset the router.",
        msgid="<spoof1@evil.example>",
    )
    result = mail_ingest(raw=forged, mailbox=box)
    assert result.outcome == "held"
    assert "signed reply address" in (result.reason or "")
    assert not Message.objects.filter(ticket=ticket, author_user=agent).exists()
    assert ticket.messages.count() == 1
    assert OutboundMessage.objects.count() == outbox  # nothing relayed to the customer
    assert InboundMail.objects.get(msgid="<spoof1@evil.example>").outcome == "held"


def test_a_forged_agent_naming_one_of_our_message_ids_is_held(box: Mailbox, ticket: Ticket) -> None:
    ours = we_answered(ticket)  # even a real Message-ID of ours is no proof of the agent
    agent = UserFactory(email="lena@desk.example")
    forged = mail(sender=agent.email, msgid="<spoof2@evil.example>", In_Reply_To=ours)
    assert mail_ingest(raw=forged, mailbox=box).outcome == "held"
    assert not Message.objects.filter(author_user=agent).exists()


def test_an_agents_reply_address_for_another_agent_or_ticket_proves_nothing(
    box: Mailbox, ticket: Ticket
) -> None:
    lena, max_ = UserFactory(email="lena@desk.example"), UserFactory(email="max@desk.example")
    for sender, to in (
        (max_.email, agent_reply_address(SUPPORT, ticket.pk, lena.pk)),  # Lena's, not his
        (lena.email, agent_reply_address(SUPPORT, ticket.pk, lena.pk)[:-16] + "0" * 16),
    ):
        result = mail_ingest(raw=mail(sender=sender, msgid=f"<{sender}>", To=to), mailbox=box)
        assert result.outcome == "held"
    assert ticket.messages.count() == 1


def test_our_message_ids_are_signed_and_not_guessable(ticket: Ticket) -> None:
    real = message_id(f"{ticket.pk}.1.1", "desk.example")
    assert message_id_ours(real)
    guessed = f"<caredesk.{ticket.pk}.1.1.{'0' * 16}@desk.example>"
    assert not message_id_ours(guessed)
    assert not message_id_ours(f"<caredesk.{ticket.pk}.1.1@desk.example>")  # the old form


def test_a_forged_customer_with_only_the_subject_reference_does_not_join(
    box: Mailbox, ticket: Ticket
) -> None:
    forged = mail(  # Anna's address, but nothing proves it is Anna
        subject=f"Re: Router keeps dropping [#{ticket.pk}]",
        body="Please change my delivery address to 1 Evil Street.",
        msgid="<spoof3@evil.example>",
    )
    result = mail_ingest(raw=forged, mailbox=box)
    assert result.outcome == "created"
    assert result.ticket != ticket.pk
    assert f"possible follow-up of #{ticket.pk}" in (result.reason or "")
    assert ticket.messages.count() == 1
    new = Ticket.objects.get(pk=result.ticket)
    assert new.events.filter(field="possible_follow_up_of", new_value=str(ticket.pk)).exists()


def test_the_mailbox_may_hold_unproven_replies_instead(box: Mailbox, ticket: Ticket) -> None:
    box.unproven_replies = "hold"
    box.save()
    forged = mail(subject=f"More [#{ticket.pk}]", msgid="<spoof4@evil.example>")
    assert mail_ingest(raw=forged, mailbox=box).outcome == "held"
    assert Ticket.objects.count() == 1


def test_authentication_results_are_believed_only_from_the_mailboxs_own_mta(
    box: Mailbox, ticket: Ticket
) -> None:
    def reply(msgid: str, *results: str) -> bytes:
        raw = mail(subject=f"More [#{ticket.pk}]", msgid=msgid)
        head = "".join(f"Authentication-Results: {r}\r\n" for r in results).encode()
        return head + raw

    # Added by someone else's server, or forged below our MTA's own header: ignored.
    other = reply("<ar1@example.org>", "mx.evil.example; dmarc=pass header.from=example.org")
    assert mail_ingest(raw=other, mailbox=box).ticket != ticket.pk
    below = reply(
        "<ar2@example.org>",
        f"{MTA}; dmarc=fail header.from=example.org",
        f"{MTA}; dmarc=pass header.from=example.org",
    )
    assert mail_ingest(raw=below, mailbox=box).ticket != ticket.pk
    unaligned = reply("<ar3@example.org>", f"{MTA}; dkim=pass header.d=evil.example")
    assert mail_ingest(raw=unaligned, mailbox=box).ticket != ticket.pk
    # Our MTA says the From domain passed DMARC: Anna's reply joins her ticket.
    good = reply("<ar4@example.org>", f"{MTA}; dmarc=pass header.from=example.org")
    result = mail_ingest(raw=good, mailbox=box)
    assert (result.outcome, result.ticket) == ("appended", ticket.pk)


def test_a_real_reply_to_our_message_joins_without_authentication(
    box: Mailbox, ticket: Ticket
) -> None:
    ours = we_answered(ticket)
    reply = mail(msgid="<r1@example.org>", In_Reply_To=ours, References=ours)
    result = mail_ingest(raw=reply, mailbox=box)
    assert (result.outcome, result.ticket) == ("appended", ticket.pk)
    assert ticket.messages.filter(author_role="customer").count() == 2


def test_a_stranger_with_a_real_message_id_of_ours_gets_a_ticket_of_their_own(
    box: Mailbox, ticket: Ticket
) -> None:
    ours = we_answered(ticket)  # forwarded to someone who is not on the ticket
    result = mail_ingest(
        raw=mail(sender="eve@evil.example", msgid="<e1@evil.example>", In_Reply_To=ours),
        mailbox=box,
    )
    assert result.outcome == "created"
    assert result.ticket != ticket.pk
    assert "not its requester" in (result.reason or "")
