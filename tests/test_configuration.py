"""Configuration written from the admin screen, the API and Django admin goes through one
service each: the same input is refused the same way at every door, and nothing is
stored when it is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.channels.models import Mailbox
from caredesk.core.models import CustomField
from caredesk.routing.models import Skill
from caredesk.tickets.models import CannedReply

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Door:
    """One kind of configuration: where each door takes it, good input and bad input
    with the words of its refusal."""

    model: type[Model]
    api: str
    screen: str
    admin: str
    good: dict[str, Any]
    bad: dict[str, Any]
    refusal: str
    form_extra: dict[str, Any]


MAILBOX = {
    "name": "Support",
    "address": "Support@Desk.Example",
    "imap_port": 993,
    "imap_security": "ssl",
    "imap_folder": "INBOX",
    "smtp_port": 587,
    "smtp_security": "starttls",
    "unproven_replies": "new",
}

TIER = {"entity": "ticket", "key": "tier", "label": "Tier", "field_type": "choice", "position": 0}

TIER = {"entity": "ticket", "key": "tier", "label": "Tier", "field_type": "choice", "position": 0}

DOORS = {
    "mailbox": Door(
        Mailbox,
        "mail/mailboxes",
        "/manage/mailboxes/",
        "/admin/caredesk_channels/mailbox/add/",
        MAILBOX,
        {**MAILBOX, "smtp_password_env": "$(cat /etc/passwd)"},
        "name of an environment variable",
        {"active": "on"},
    ),
    "skill": Door(
        Skill,
        "routing/skills",
        "/manage/skills/",
        "/admin/routing/skill/add/",
        {"kind": "language", "name": "German"},
        {"kind": "language", "name": "x" * 81},
        "at most 80 characters",
        {},
    ),
    "canned reply": Door(
        CannedReply,
        "canned-replies",
        "/manage/canned-replies/",
        "/admin/tickets/cannedreply/add/",
        {"title": "Thanks", "body": "Hi {{customer.first_name}}"},
        {"title": "Thanks", "body": "Hi {{customer.fist_name}}"},
        "Unknown placeholder {{customer.fist_name}}",
        {},
    ),
    "custom field": Door(
        CustomField,
        "custom-fields",
        "/manage/custom-fields/",
        "/admin/core/customfield/add/",
        {**TIER, "choices": ["gold", "silver"]},
        {**TIER, "choices": []},
        "needs its choices",
        {},
    ),
}


def form_data(door: Door, data: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: json.dumps(v) if isinstance(v, list) else v for k, v in data.items()},
        **door.form_extra,
    }


@pytest.fixture
def superuser_client() -> Client:
    client = Client(SERVER_NAME="localhost")
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("name", DOORS)
def test_bad_input_is_refused_alike_at_every_door(
    name: str, api_as: Any, superuser_client: Client
) -> None:
    door = DOORS[name]
    api = api_as(UserFactory(role=Role.ADMIN)).post(door.api, door.bad)
    assert api.status_code == 422
    assert door.refusal in api.json()["detail"]
    screen = superuser_client.post(door.screen, form_data(door, door.bad))
    assert screen.status_code == 422
    assert door.refusal in screen.content.decode()
    admin = superuser_client.post(door.admin, form_data(door, door.bad))
    assert admin.status_code == 200  # Django admin shows the form again
    assert door.refusal in admin.content.decode()
    assert not door.model._default_manager.exists()


@pytest.mark.parametrize("name", DOORS)
@pytest.mark.parametrize("where", ["api", "screen", "admin"])
def test_good_input_is_saved_the_same_through_every_door(
    name: str, where: str, api_as: Any, superuser_client: Client
) -> None:
    door = DOORS[name]
    if where == "api":
        assert api_as(UserFactory(role=Role.ADMIN)).post(door.api, door.good).status_code == 201
    else:
        url = door.screen if where == "screen" else door.admin
        assert superuser_client.post(url, form_data(door, door.good)).status_code == 302
    row = door.model._default_manager.get()
    if isinstance(row, Mailbox):
        assert row.address == "support@desk.example"  # normalised by the service
    elif isinstance(row, CustomField):
        assert row.choices == ["gold", "silver"]
    else:
        assert str(row)


def test_the_api_refuses_what_only_admins_may_write(api_as: Any) -> None:
    agent = api_as(UserFactory())
    for door in DOORS.values():
        if door.model is Skill:
            continue  # supervisors keep skills; see routing's tests
        assert agent.post(door.api, door.good).status_code == 403
    assert not CannedReply.objects.exists()
    assert not CustomField.objects.exists()


def test_agents_see_the_canned_replies_for_everyone_and_their_teams(api_as: Any) -> None:
    mine, theirs = TeamFactory(), TeamFactory()
    agent = UserFactory()
    agent.teams.add(mine)
    admin = api_as(UserFactory(role=Role.ADMIN))
    for title, team in (("All", None), ("Mine", mine.pk), ("Theirs", theirs.pk)):
        body = {"title": title, "body": "Hello {{customer.name}}", "team_id": team}
        assert admin.post("canned-replies", body).status_code == 201
    titles = [r["title"] for r in api_as(agent).get("canned-replies").json()]
    assert titles == ["All", "Mine"]


def test_a_custom_field_key_is_taken_once_per_entity(api_as: Any) -> None:
    admin = api_as(UserFactory(role=Role.ADMIN))
    field = {"entity": "ticket", "key": "order_no", "label": "Order"}
    assert admin.post("custom-fields", field).status_code == 201
    again = admin.post("custom-fields", field)
    assert again.status_code == 422
    assert again.json()["code"] == "key_taken"
    assert admin.post("custom-fields", {**field, "entity": "customer"}).status_code == 201
    fid = CustomField.objects.get(entity="ticket").pk
    assert admin.put(f"custom-fields/{fid}", {**field, "label": "Order no."}).status_code == 200
    assert CustomField.objects.get(pk=fid).label == "Order no."
    assert admin.delete(f"custom-fields/{fid}").status_code == 204
    assert admin.delete(f"custom-fields/{fid}").status_code == 404
