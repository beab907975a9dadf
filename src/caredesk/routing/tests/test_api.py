from __future__ import annotations

from typing import Any

import pytest

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.customers.factories import customer_user
from caredesk.notifications.services import notify
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db


def test_a_supervisor_sets_up_skills_based_routing(api_as: Any) -> None:
    boss = api_as(UserFactory(role=Role.SUPERVISOR))
    agent = UserFactory()
    team = TeamFactory()
    team.members.add(agent)
    german = boss.post("routing/skills", {"kind": "language", "name": "German"})
    assert german.status_code == 201
    skill_id = german.json()["id"]
    configured = boss.patch(f"routing/teams/{team.pk}", {"strategy": "skills"})
    assert configured.json()["strategy"] == "skills"
    profile = boss.patch(
        f"routing/agents/{agent.pk}",
        {"capacity": 3, "skill_ids": [skill_id], "availability": "online"},
    ).json()
    assert (profile["capacity"], profile["skill_ids"], profile["availability"]) == (
        3,
        [skill_id],
        "online",
    )
    ticket = ticket_make()
    needs = boss.post(f"routing/tickets/{ticket.pk}/skills", {"skill_ids": [skill_id]})
    assert [s["name"] for s in needs.json()] == ["German"]
    routed = ticket_make(team=team)
    assert routed.assignee == agent
    listed = {a["user_id"]: a for a in boss.get("routing/agents").json()}
    assert listed[agent.pk]["open_tickets"] == 1


def test_agents_set_only_their_own_availability(api_as: Any) -> None:
    agent, other = UserFactory(), UserFactory()
    me = api_as(agent)
    assert me.put("routing/me/availability", {"availability": "away"}).json()["availability"] == (
        "away"
    )
    assert me.patch(f"routing/agents/{agent.pk}", {"availability": "online"}).status_code == 200
    assert me.patch(f"routing/agents/{agent.pk}", {"capacity": 99}).status_code == 403
    assert me.patch(f"routing/agents/{other.pk}", {"availability": "offline"}).status_code == 403
    bad = me.put("routing/me/availability", {"availability": "asleep"})
    assert bad.status_code == 422
    assert api_as(customer_user()).get("routing/agents").status_code == 403


def test_notifications_are_listed_and_marked_read(api_as: Any) -> None:
    agent = UserFactory()
    notify(users=[agent, customer_user()], kind="rule", text="Look at this")
    client = api_as(agent)
    unread = client.get("notifications", unread=True).json()
    assert [n["text"] for n in unread] == ["Look at this"]
    assert client.post("notifications/read", {"ids": None}).json() == {"marked": 1}
    assert client.get("notifications", unread=True).json() == []
