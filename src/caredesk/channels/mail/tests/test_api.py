from __future__ import annotations

from typing import Any

import pytest

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.models import Mailbox

pytestmark = pytest.mark.django_db

BOX = {"name": "Support", "address": "Support@Desk.Example", "imap_host": "imap.example",
       "imap_password_env": "SUPPORT_IMAP_PASSWORD"}  # fmt: skip


def test_an_admin_manages_mailboxes_and_reads_the_inbound_log(api_as: Any) -> None:
    admin = api_as(UserFactory(role=Role.ADMIN))
    team = TeamFactory()
    created = admin.post("mail/mailboxes", {**BOX, "team_id": team.pk})
    assert created.status_code == 201, created.json()
    box = created.json()
    assert (box["address"], box["team_id"], box["imap_port"]) == (
        "support@desk.example",
        team.pk,
        993,
    )
    assert "password" not in {k for k in box if not k.endswith("_env")}
    assert admin.post("mail/mailboxes", BOX).status_code == 422  # the address is taken
    bad = admin.put(f"mail/mailboxes/{box['id']}", {**BOX, "imap_security": "maybe"})
    assert bad.status_code == 422
    raw = b"From: anna@example.org\r\nSubject: Hi\r\nMessage-ID: <api1@x>\r\n\r\nHello\r\n"
    mail_ingest(raw=raw, mailbox=Mailbox.objects.get())
    log = admin.get("mail/inbound").json()
    assert [(r["msgid"], r["outcome"]) for r in log] == [("<api1@x>", "created")]
    assert admin.delete(f"mail/mailboxes/{box['id']}").status_code == 204


def test_only_admins_see_mailboxes(api_as: Any) -> None:
    for role in (Role.AGENT, Role.SUPERVISOR):
        client = api_as(UserFactory(role=role))
        assert client.get("mail/mailboxes").status_code == 403
        assert client.get("mail/inbound").status_code == 403
