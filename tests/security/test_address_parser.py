"""Address-parser differentials: a From header that does not name exactly one sender,
cleanly and the same to every parser, is never taken for anyone.

The class of CVE-2023-27043 (CPython gh-102988: email.utils.getaddresses and parseaddr
read some addresses with special characters differently from the header registry, so
a filter and the code after it can disagree about who sent a message) and of display
names that are themselves addresses, which mail programs show instead of the real one.
"""

from __future__ import annotations

import pytest

from caredesk.accounts.factories import UserFactory
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.tests.test_inbound import SUPPORT
from caredesk.channels.models import Mailbox
from caredesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def raw(*from_headers: str) -> bytes:
    head = "".join(f"From: {value}\r\n" for value in from_headers)
    return (
        f"{head}To: {SUPPORT}\r\nSubject: Hello\r\nMessage-ID: <{abs(hash(head))}@x.example>\r\n"
        "\r\nPlease reset the password.\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("from_headers", "why"),
    [
        (['"lena@desk.example" <eve@evil.example>'], "display name that is another address"),
        (["=?utf-8?q?lena=40desk.example?= <eve@evil.example>"], "another address"),
        (["lena@desk.example, eve@evil.example"], "2 addresses in From"),
        (["lena@desk.example", "eve@evil.example"], "several From headers"),
        (['"lena@desk.example\\" <eve@evil.example>'], ""),
        (["<lena@desk.example>@evil.example"], ""),
    ],
)
def test_an_unclear_sender_is_held_and_taken_for_nobody(from_headers: list[str], why: str) -> None:
    box = Mailbox.objects.create(name="Support", address=SUPPORT)
    agent = UserFactory(email="lena@desk.example")
    result = mail_ingest(raw=raw(*from_headers), mailbox=box)
    assert result.outcome == "held", result.reason
    assert "The sender is not clear" in (result.reason or "")
    assert why in (result.reason or "")
    assert Ticket.objects.count() == 0
    assert not Message.objects.filter(author_user=agent).exists()


def test_a_clean_sender_is_filed() -> None:
    box = Mailbox.objects.create(name="Support", address=SUPPORT)
    for sender in ("Anna Smith <anna@example.org>", "anna@example.org",
                   '"anna@example.org" <anna@example.org>'):  # fmt: skip
        result = mail_ingest(raw=raw(sender), mailbox=box)
        assert result.outcome in ("created", "appended", "duplicate"), result.reason
