"""The hot paths run a fixed, small number of SQL queries, whatever the size of the data.

Each path is measured twice, on a small and on a larger history; both counts must be
the pinned number. A change that adds a query (an N+1, a lookup in a loop) fails here
with the queries it ran.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.models import Mailbox
from caredesk.core.testing import signed_in
from caredesk.customers.factories import CustomerFactory
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Ticket
from caredesk.tickets.services import message_add

pytestmark = pytest.mark.django_db

SUPPORT = "support@desk.example"


def _history(agent: Any, tickets: int) -> Ticket:
    """``tickets`` tickets of one customer, each answered by the agent; the last one."""
    customer = CustomerFactory()
    last = None
    for i in range(tickets):
        last = ticket_make(requester=customer, subject=f"Printer {i}", assignee=agent)
        message_add(ticket=last, author=agent, text="We are on it.")
    assert last is not None
    return Ticket.objects.get(pk=last.pk)


def _mail(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Sender {n} <sender{n}@example.org>"
    msg["To"] = SUPPORT
    msg["Subject"] = f"Invoice {n} is wrong"
    msg["Message-ID"] = f"<q{n}@example.org>"
    msg.set_content("The invoice is wrong.")
    return msg.as_bytes()


def _count(run: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return len(ctx)


def _counts(path: str, agent: Any, ticket: Ticket, client: Client, n: int) -> int:
    if path == "inbox":
        return _count(lambda: client.get("/inbox/?view=open"))
    if path == "ticket page":
        return _count(lambda: client.get(f"/tickets/{ticket.pk}/"))
    if path == "customer 360":
        return _count(lambda: client.get(f"/customers/{ticket.requester_id}/"))
    if path == "agent reply":
        fresh = Ticket.objects.get(pk=ticket.pk)
        body = {"kind": "reply", "text": "Fixed.", "status_after": "", "version": fresh.version}
        return _count(lambda: client.post(f"/tickets/{ticket.pk}/reply", body))
    box = Mailbox.objects.get(address=SUPPORT)
    return _count(lambda: mail_ingest(raw=_mail(n), source="imap", mailbox=box))


# Queries per request, the same on both databases (session and user lookups included).
PINNED = {
    "inbox": 10,
    "ticket page": 14,
    "customer 360": 17,
    "agent reply": 12,
    "mail ingest": 23,  # staff addresses are cached: a customer's mail asks no staff query
}


@pytest.mark.parametrize("path", list(PINNED))
def test_hot_paths_run_a_fixed_number_of_queries(path: str) -> None:
    agent = UserFactory()
    Mailbox.objects.create(name="Support", address=SUPPORT, team=TeamFactory(name="Mail"))
    client = signed_in(agent)
    counts = []
    for size in (2, 12):
        ticket = _history(agent, size)
        _counts(path, agent, ticket, client, size)  # warm: caches of configuration
        counts.append(_counts(path, agent, ticket, client, size + 100))
    assert counts == [PINNED[path], PINNED[path]]
