from __future__ import annotations

from typing import Any

import pytest

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.models import InboundMail, Mailbox
from caredesk.core.models import CustomField

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


def test_only_admins_see_mailboxes_and_supervisors_the_inbound_log(api_as: Any) -> None:
    for role in (Role.AGENT, Role.SUPERVISOR):
        client = api_as(UserFactory(role=role))
        assert client.get("mail/mailboxes").status_code == 403
    assert api_as(UserFactory(role=Role.AGENT)).get("mail/inbound").status_code == 403
    assert api_as(UserFactory(role=Role.SUPERVISOR)).get("mail/inbound").status_code == 200


def held_message(msgid: str) -> int:
    """A new request held because tickets need a field that no email carries."""

    CustomField.objects.get_or_create(
        entity="ticket", key="contract", defaults={"label": "Contract", "required": True}
    )
    raw = f"From: anna@example.org\r\nSubject: Hi\r\nMessage-ID: {msgid}\r\n\r\nHello\r\n"
    assert mail_ingest(raw=raw.encode()).outcome == "held"
    return InboundMail.objects.get(msgid=msgid).pk


def test_a_supervisor_retries_held_mail_once_its_cause_is_fixed(api_as: Any) -> None:
    supervisor = api_as(UserFactory(role=Role.SUPERVISOR))
    held = held_message("<held1@x>")
    log = supervisor.get("mail/inbound?outcome=held").json()
    assert [(r["id"], r["outcome"]) for r in log] == [(held, "held")]
    assert "contract" in log[0]["reason"]
    still = supervisor.post(f"mail/inbound/{held}/retry").json()
    assert (still["outcome"], still["ticket_id"]) == ("held", None)
    CustomField.objects.filter(key="contract").update(required=False)
    CustomField.objects.get(key="contract").save()  # (a bulk update sends no signal)
    filed = supervisor.post(f"mail/inbound/{held}/retry").json()
    assert filed["outcome"] == "created"
    assert filed["ticket_id"]
    again = supervisor.post(f"mail/inbound/{held}/retry")
    assert (again.status_code, again.json()["code"]) == (409, "not_held")
    assert supervisor.post("mail/inbound/999999/retry").status_code == 404
    agent = api_as(UserFactory(role=Role.AGENT))
    assert agent.post(f"mail/inbound/{held}/retry").status_code == 403


def test_a_supervisor_dismisses_held_mail_which_stays_stored(api_as: Any) -> None:
    supervisor = api_as(UserFactory(role=Role.SUPERVISOR, first_name="Sam", last_name="Boss"))
    held = held_message("<held2@x>")
    dismissed = supervisor.post(f"mail/inbound/{held}/dismiss").json()
    assert dismissed["outcome"] == "ignored"
    assert dismissed["reason"].startswith("Dismissed by Sam Boss. Held because: ")
    assert supervisor.post(f"mail/inbound/{held}/dismiss").status_code == 409
