import datetime as dt
import hashlib

import pytest
from django.test import override_settings
from django.utils import timezone

from caredesk.accounts.factories import UserFactory
from caredesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from caredesk.core.storage import blob_open
from caredesk.customers.factories import CustomerFactory, customer_user
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Message, TicketEvent
from caredesk.tickets.services import (
    AttachmentData,
    commitment_create,
    commitment_resolve,
    message_add,
    ticket_merge,
    ticket_update,
)

pytestmark = pytest.mark.django_db


def test_create_records_first_message_and_event() -> None:
    ticket = ticket_make(
        subject="  Printer   jams  ",
        tags=["Hardware", "hardware", "VIP"],
        cc_emails=["boss@example.org"],
    )
    assert ticket.subject == "Printer jams"
    assert ticket.status == "new"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["hardware", "vip"]
    assert ticket.ccs.get().contacts.get().value == "boss@example.org"
    message = ticket.messages.get()
    assert message.author_role == "customer"
    assert message.author_customer == ticket.requester
    assert ticket.events.filter(kind="created").count() == 1


def test_agent_reply_opens_ticket_and_records_first_response() -> None:
    ticket = ticket_make()
    agent = UserFactory()
    message_add(ticket=ticket, author=agent, text="On it")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.first_response_at is not None


def test_internal_note_does_not_count_as_first_response() -> None:
    ticket = ticket_make()
    message_add(ticket=ticket, author=UserFactory(), text="note", is_public=False)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.status == "new"


def test_customer_reply_reopens_solved_ticket() -> None:
    user = customer_user()
    ticket = ticket_make(requester=user.customer)
    agent = UserFactory()
    ticket_update(ticket=ticket, actor=agent, changes={"status": "solved"})
    assert ticket.solved_at is not None
    message_add(ticket=ticket, author=user, text="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.solved_at is None
    change = TicketEvent.objects.filter(ticket=ticket, field="status").last()
    assert (change.old_value, change.new_value) == ("solved", "open")


def test_closed_ticket_takes_no_reply() -> None:
    ticket = ticket_make()
    agent = UserFactory()
    ticket_update(ticket=ticket, actor=agent, changes={"status": "closed"})
    with pytest.raises(Conflict) as exc:
        message_add(ticket=ticket, author=agent, text="hello?")
    assert exc.value.code == "ticket_closed"
    with pytest.raises(Conflict):
        ticket_update(ticket=ticket, actor=agent, changes={"status": "open"})


def test_every_change_is_in_the_event_log_with_old_and_new() -> None:
    ticket = ticket_make()
    agent = UserFactory(email="lead@example.org")
    ticket_update(
        ticket=ticket,
        actor=agent,
        changes={
            "priority": "urgent",
            "type": "incident",
            "assignee": agent,
            "tags": ["outage"],
            "custom_fields": {"order": "A-1"},
            "subject": "Site down",
        },
    )
    log = {
        e.field: (e.old_value, e.new_value, e.actor_id)
        for e in TicketEvent.objects.filter(ticket=ticket, kind="changed")
    }
    assert log["priority"] == ("normal", "urgent", agent.pk)
    assert log["type"] == ("question", "incident", agent.pk)
    assert log["assignee"] == ("", "lead@example.org", agent.pk)
    assert log["tags"] == ("", "outage", agent.pk)
    assert log["custom_fields.order"] == ("", "A-1", agent.pk)
    assert log["subject"][1] == "Site down"


def test_stale_version_is_refused_and_nothing_is_overwritten() -> None:
    ticket = ticket_make()
    loaded = ticket.version
    first, second = UserFactory(), UserFactory()
    ticket_update(ticket=ticket, actor=first, changes={"priority": "high"}, expected_version=loaded)
    with pytest.raises(Conflict) as exc:
        ticket_update(
            ticket=ticket, actor=second, changes={"priority": "low"}, expected_version=loaded
        )
    assert exc.value.code == "stale_version"
    ticket.refresh_from_db()
    assert ticket.priority == "high"


def test_customer_cannot_change_fields_other_than_closing() -> None:
    user = customer_user()
    ticket = ticket_make(requester=user.customer)
    with pytest.raises(PermissionDenied):
        ticket_update(ticket=ticket, actor=user, changes={"priority": "urgent"})
    ticket_update(ticket=ticket, actor=user, changes={"status": "closed"})
    assert ticket.status == "closed"


def test_customer_cannot_write_internal_notes() -> None:
    user = customer_user()
    ticket = ticket_make(requester=user.customer)
    with pytest.raises(PermissionDenied):
        message_add(ticket=ticket, author=user, text="psst", is_public=False)


def test_html_is_sanitised_and_text_derived() -> None:
    ticket = ticket_make()
    m = message_add(
        ticket=ticket,
        author=UserFactory(),
        html='<p onmouseover="x()">Hello <script>evil()</script><b>you</b></p>',
    )
    assert "script" not in m.html
    assert "onmouseover" not in m.html
    assert m.text == "Hello you"


def test_empty_message_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        message_add(ticket=ticket_make(), author=UserFactory(), text="   ")


def test_attachments_are_stored_with_size_type_and_checksum() -> None:
    data = b"%PDF-1.4 fake invoice"
    ticket = ticket_make(
        attachments=[AttachmentData("../../etc/invoice.pdf", "application/pdf; name=x", data)]
    )
    attachment = ticket.messages.get().attachments.get()
    assert attachment.filename == "invoice.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert blob_open(attachment.storage_path) == data


@override_settings(CAREDESK_MAX_ATTACHMENT_BYTES=10)
def test_attachments_over_the_limit_are_refused_and_nothing_is_stored() -> None:
    ticket = ticket_make()
    before = Message.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        message_add(
            ticket=ticket,
            author=UserFactory(),
            text="big",
            attachments=[AttachmentData("big.bin", "", b"x" * 11)],
        )
    assert exc.value.code == "attachment_too_large"
    assert Message.objects.count() == before


def test_merge_moves_conversation_and_closes_source() -> None:
    agent = UserFactory()
    a = ticket_make(subject="Printer broken")
    b = ticket_make(subject="Printer still broken", tags=["hardware"])
    message_add(ticket=b, author=agent, text="Looking")
    ticket_merge(source=b, target=a, actor=agent)
    b.refresh_from_db()
    assert b.status == "closed"
    assert b.merged_into == a
    texts = list(a.messages.values_list("text", flat=True))
    assert "Looking" in texts
    assert a.ccs.filter(pk=b.requester_id).exists()
    assert list(a.tags.values_list("name", flat=True)) == ["hardware"]
    with pytest.raises(Conflict):
        ticket_merge(source=a, target=a, actor=agent)
    with pytest.raises(Conflict):
        message_add(ticket=b, author=agent, text="late")


def test_commitment_kept_or_broken_once() -> None:
    ticket = ticket_make()
    agent = UserFactory()
    due = timezone.now() + dt.timedelta(days=1)
    c = commitment_create(ticket=ticket, actor=agent, description="Call back", due_at=due)
    commitment_resolve(commitment=c, actor=agent, status="kept")
    assert c.status == "kept"
    assert c.resolved_at is not None
    with pytest.raises(Conflict):
        commitment_resolve(commitment=c, actor=agent, status="broken")
    with pytest.raises(ValidationFailed):
        commitment_create(
            ticket=ticket, actor=agent, description="x", due_at=dt.datetime(2030, 1, 1)
        )  # naive


def test_customer_cannot_open_ticket_for_someone_else() -> None:
    user = customer_user()
    with pytest.raises(PermissionDenied):
        ticket_make(requester=CustomerFactory(), actor=user)
