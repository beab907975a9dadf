"""Header control: caredesk's internal headers, arriving from outside, control nothing.

The class of OTRS/Znuny's X-OTRS-* headers, which set a new ticket's queue, priority or
state from whatever sender wrote them unless the PostMaster is told not to trust them
(its documented "PostmasterX-Header" setting). caredesk writes X-Caredesk-Ticket and
X-Caredesk-Survey on mail it sends; on mail it receives they are ignored, and so are
headers claiming a ticket or an author.
"""

from __future__ import annotations

import pytest

from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.tests.test_inbound import SUPPORT, mail
from caredesk.channels.models import Mailbox
from caredesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_internal_headers_from_outside_are_ignored() -> None:
    box = Mailbox.objects.create(name="Support", address=SUPPORT)
    victim = Ticket.objects.get(pk=mail_ingest(raw=mail(), mailbox=box).ticket)
    raw = mail(
        sender="eve@evil.example",
        subject="Hello",
        msgid="<h1@evil.example>",
        X_Caredesk_Ticket=str(victim.pk),
        X_Caredesk_Survey="1",
        X_Caredesk_Priority="urgent",
        X_Caredesk_Author="agent",
    )
    result = mail_ingest(raw=raw, mailbox=box)
    assert result.outcome == "created"
    assert result.ticket != victim.pk
    theirs = Ticket.objects.get(pk=result.ticket)
    assert theirs.priority == "normal"
    assert theirs.messages.get().author_role == "customer"
    assert victim.messages.count() == 1
