"""mail_ingest_many (imports and IMAP fetches): the same outcomes as one message at a
time, in order, and a message that cannot be filed with the others costs nobody else."""

from __future__ import annotations

import pytest

from caredesk.accounts.factories import TeamFactory
from caredesk.channels.mail.filing import RATE_LIMIT
from caredesk.channels.mail.inbound import mail_ingest, mail_ingest_many
from caredesk.channels.mail.store import MailResult
from caredesk.channels.mail.tests.test_inbound import SUPPORT, mail
from caredesk.channels.mail.tests.test_parsing import BOUNCE
from caredesk.channels.models import InboundMail, Mailbox, MailThread
from caredesk.core.models import CustomField
from caredesk.customers.services import customer_get_or_create_by_email
from caredesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def box() -> Mailbox:
    return Mailbox.objects.create(
        name="Support", address=SUPPORT, team=TeamFactory(name="Mail"), authserv_id=MTA
    )


# The mailbox's own MTA proved these senders (a follow-up that names only a Message-ID
# the customer sent, not one of ours, needs that; see channels.mail.trust).
MTA = "mx.desk.example"


def proven(domain: str) -> str:
    return f"{MTA}; dmarc=pass header.from={domain}"


def corpus() -> list[bytes]:
    """Every kind of message, with duplicates inside the batch."""
    first = mail(msgid="<a1@example.org>")
    return [
        first,
        b"this is not an email at all",
        mail(sender="bob@example.org", msgid="<b1@example.org>", subject="Billing"),
        first,  # the same bytes again, in the same batch
        mail(
            msgid="<a2@example.org>",
            References="<a1@example.org>",
            body="Still broken.",
            Authentication_Results=proven("example.org"),
        ),
        mail(sender="eve@evil.example", msgid="<e1@example.org>", References="<a1@example.org>"),
        mail(msgid="<ooo@example.org>", subject="Out of office", Auto_Submitted="auto-replied"),
        BOUNCE,
        # the same Message-ID with other bytes (a copy through another route)
        mail(msgid="<b1@example.org>", sender="bob@example.org", subject="Billing", body="x"),
        mail(
            sender="bob@example.org",
            msgid="<b2@example.org>",
            In_Reply_To="<b1@example.org>",
            Authentication_Results=proven("example.org"),
        ),
    ]


def summary(results: list[MailResult]) -> list[tuple[str, str | None]]:
    return [(r.outcome, None if r.ticket is None else "ticket") for r in results]


def test_a_batch_files_every_kind_of_message_as_one_at_a_time_would(box: Mailbox) -> None:
    customer_get_or_create_by_email(email="gone@example.org")  # the bounce's recipient
    batch = list(mail_ingest_many(raws=corpus(), mailbox=box, batch=50))
    outcomes = [r.outcome for r in batch]
    assert outcomes == ["created", "held", "created", "duplicate", "appended", "created",
                        "ignored", "bounce", "duplicate", "appended"]  # fmt: skip
    anna = Ticket.objects.get(pk=batch[0].ticket)
    assert batch[3].ticket == batch[4].ticket == anna.pk
    assert batch[5].ticket != anna.pk  # the stranger got a ticket of their own
    assert batch[9].ticket == batch[2].ticket  # Bob's reply joined Bob's ticket
    assert MailThread.objects.filter(msgid="<b1@example.org>").count() == 1
    assert Message.objects.filter(ticket=anna).count() == 2
    assert not InboundMail.objects.filter(processed_at__isnull=True).exists()
    # The same messages one at a time, on another database state, give the same outcomes.
    Ticket.objects.all().delete()
    MailThread.objects.all().delete()
    InboundMail.objects.all().delete()
    single = [mail_ingest(raw=raw, mailbox=box) for raw in corpus()]
    assert summary(single) == summary(batch)


def test_batches_of_any_size_give_the_same_outcomes(box: Mailbox) -> None:
    customer_get_or_create_by_email(email="gone@example.org")
    in_threes = [r.outcome for r in mail_ingest_many(raws=corpus(), mailbox=box, batch=3)]
    assert in_threes.count("created") == 3
    assert in_threes.count("duplicate") == 2
    again = [r.outcome for r in mail_ingest_many(raws=corpus(), mailbox=box, batch=50)]
    assert again.count("created") == 0  # everything was received before
    assert Ticket.objects.count() == 3


def test_a_message_that_cannot_be_filed_is_held_and_the_rest_of_its_batch_filed(
    box: Mailbox,
) -> None:
    first = mail_ingest(raw=mail(msgid="<t1@example.org>"), mailbox=box)
    # From now on a new ticket needs a field no email carries: new requests are held,
    # replies to existing tickets still go through, in the same batch.
    CustomField.objects.create(entity="ticket", key="contract", label="Contract", required=True)
    results = list(
        mail_ingest_many(
            raws=[
                mail(
                    msgid="<t2@example.org>",
                    References="<t1@example.org>",
                    Authentication_Results=proven("example.org"),
                ),
                mail(sender="new@example.org", msgid="<n1@example.org>"),
                mail(
                    msgid="<t3@example.org>",
                    References="<t1@example.org>",
                    Authentication_Results=proven("example.org"),
                ),
            ],
            mailbox=box,
        )
    )
    assert [r.outcome for r in results] == ["appended", "held", "appended"]
    assert results[0].ticket == results[2].ticket == first.ticket
    assert "contract" in (results[1].reason or "")
    held = InboundMail.objects.get(msgid="<n1@example.org>")
    assert (held.outcome, held.processed_at is not None) == ("held", True)


def test_the_rate_limit_counts_the_same_within_a_batch(box: Mailbox) -> None:
    loop = [
        mail(msgid=f"<loop{i}@example.org>", subject=f"Loop {i}") for i in range(RATE_LIMIT + 5)
    ]
    outcomes = [r.outcome for r in mail_ingest_many(raws=loop, mailbox=box, batch=50)]
    assert outcomes.count("created") == RATE_LIMIT
    assert outcomes[RATE_LIMIT:] == ["ignored"] * 5
