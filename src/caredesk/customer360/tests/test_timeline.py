import datetime as dt

import pytest
from django.utils import timezone

from caredesk.accounts.factories import UserFactory
from caredesk.customer360.timeline import customer_timeline
from caredesk.customers.factories import customer_user
from caredesk.customers.services import customer_note_add, purchase_create
from caredesk.surveys.services import survey_response_record
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.services import message_add

pytestmark = pytest.mark.django_db


def _history():
    user = customer_user(email="tim@example.org")
    customer = user.customer
    agent = UserFactory()
    now = timezone.now()
    purchase_create(
        customer=customer, purchased_at=now - dt.timedelta(days=3), amount="10", product="Kettle"
    )
    ticket = ticket_make(
        requester=customer,
        subject="Kettle leaks",
        channel="email",
        created_at=now - dt.timedelta(days=2),
    )
    message_add(
        ticket=ticket,
        author=agent,
        text="Internal: check batch",
        is_public=False,
        created_at=now - dt.timedelta(days=1, hours=1),
    )
    message_add(
        ticket=ticket,
        author=agent,
        text="We will replace it",
        created_at=now - dt.timedelta(days=1),
    )
    survey_response_record(
        kind="csat",
        customer=customer,
        score=5,
        responded_at=now - dt.timedelta(hours=5),
        ticket=ticket,
    )
    customer_note_add(customer=customer, author=agent, text="Loyal customer")
    return user, customer, agent


def test_timeline_has_every_interaction_newest_first() -> None:
    _, customer, agent = _history()
    page = customer_timeline(user=agent, customer=customer, limit=50)
    kinds = [i.kind for i in page.items]
    # the ticket and its first message share a time; "ticket" sorts before "message" then
    assert kinds == ["note", "survey", "message", "message", "ticket", "message", "purchase"]
    assert [i.at for i in page.items] == sorted((i.at for i in page.items), reverse=True)
    assert page.next_cursor is None


def test_timeline_pages_without_gaps_or_repeats() -> None:
    _, customer, agent = _history()
    everything = customer_timeline(user=agent, customer=customer, limit=50).items
    seen = []
    cursor = None
    while True:
        page = customer_timeline(user=agent, customer=customer, cursor=cursor, limit=2)
        seen += [(i.kind, i.id) for i in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [(i.kind, i.id) for i in everything]


def test_customer_sees_own_timeline_without_internal_notes() -> None:
    user, customer, _ = _history()
    page = customer_timeline(user=user, customer=customer, limit=50)
    texts = [i.summary for i in page.items]
    assert "Internal: check batch" not in texts
    assert all(i.kind != "note" for i in page.items)
