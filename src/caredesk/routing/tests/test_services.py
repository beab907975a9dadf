"""Routing strategies, capacity, availability and rebalancing on the real database."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections

from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.accounts.models import Team, User
from caredesk.core.errors import ValidationFailed
from caredesk.notifications.models import Notification
from caredesk.routing.models import Skill, TeamRouting
from caredesk.routing.services import (
    agent_routing_update,
    availability_set,
    routing_drain,
    team_routing_update,
    ticket_skills_require,
)
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Ticket, TicketEvent
from caredesk.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def team_of(*agents: User, strategy: str) -> Team:
    team: Team = TeamFactory()
    team.members.add(*agents)
    team_routing_update(team=team, strategy=strategy)
    return team


def online(*agents: User, capacity: int = 10) -> None:
    for agent in agents:
        agent_routing_update(user=agent, capacity=capacity)
        availability_set(user=agent, availability="online")


def assignees(team: Team, n: int) -> list[User | None]:
    return [ticket_make(team=team).assignee for _ in range(n)]


def test_round_robin_takes_turns_among_online_agents() -> None:
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    team = team_of(a, b, c, strategy="round_robin")
    online(a, c)  # b is offline
    assert assignees(team, 4) == [a, c, a, c]
    event = TicketEvent.objects.filter(field="assignee").last()
    assert event is not None
    assert event.via == "routing: Round robin"
    assert Notification.objects.filter(user=a, kind="assigned").count() == 2


def test_least_loaded_and_never_beyond_capacity() -> None:
    a, b = UserFactory(), UserFactory()
    team = team_of(a, b, strategy="least_loaded")
    online(a, b, capacity=2)
    ticket_make(team=team, assignee=a)  # a already has one (assigned by hand)
    # b has fewer; then at one each, a (whom routing has not given one yet); then b;
    # then both are full and the ticket waits in the team's queue
    assert assignees(team, 4) == [b, a, b, None]
    loads = {u: Ticket.objects.filter(assignee=u).count() for u in (a, b)}
    assert loads == {a: 2, b: 2}


def test_skills_based_routing_needs_every_required_skill() -> None:
    german = Skill.objects.create(kind="language", name="German")
    billing = Skill.objects.create(kind="product", name="Billing")
    generalist, specialist = UserFactory(), UserFactory()
    team = team_of(generalist, specialist, strategy="skills")
    online(generalist, specialist)
    agent_routing_update(user=generalist, skill_ids=[german.pk])
    agent_routing_update(user=specialist, skill_ids=[german.pk, billing.pk])
    ticket = ticket_make(team=team)
    assert ticket.assignee == generalist  # no skills needed: the least loaded
    needy = ticket_make()
    ticket_skills_require(ticket=needy, skill_ids=[german.pk, billing.pk])
    ticket_update(ticket=needy, actor=None, changes={"team": team})
    needy.refresh_from_db()
    assert needy.assignee == specialist


def test_an_offline_agent_gets_nothing_and_coming_online_drains_the_queue(
    django_capture_on_commit_callbacks: Any,
) -> None:
    agent = UserFactory()
    team = team_of(agent, strategy="round_robin")
    waiting = [ticket_make(team=team) for _ in range(3)]
    assert all(t.assignee is None for t in waiting)
    agent_routing_update(user=agent, capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        availability_set(user=agent, availability="online")
    got = [Ticket.objects.get(pk=t.pk).assignee for t in waiting]
    assert got == [agent, agent, None]  # oldest first, up to capacity
    assert routing_drain() == 0


def test_going_offline_hands_tickets_back_to_the_queue_and_to_others() -> None:
    a, b = UserFactory(), UserFactory()
    team = team_of(a, b, strategy="least_loaded")
    online(a)
    mine = [ticket_make(team=team) for _ in range(2)]
    assert all(t.assignee == a for t in mine)
    pending = ticket_make(team=team)
    ticket_update(ticket=pending, actor=a, changes={"status": "pending"})
    online(b)
    availability_set(user=a, availability="offline")
    got = {Ticket.objects.get(pk=t.pk).assignee for t in mine}
    assert got == {b}
    assert Ticket.objects.get(pk=pending.pk).assignee == a  # waiting on the customer: kept


def test_no_rebalance_when_the_team_says_so() -> None:
    a, b = UserFactory(), UserFactory()
    team = team_of(a, b, strategy="least_loaded")
    team_routing_update(team=team, rebalance_on_offline=False)
    online(a)
    ticket = ticket_make(team=team)
    online(b)
    availability_set(user=a, availability="away")
    availability_set(user=a, availability="offline")
    assert Ticket.objects.get(pk=ticket.pk).assignee == a


def test_manual_teams_are_not_routed() -> None:
    agent = UserFactory()
    team = team_of(agent, strategy="manual")
    online(agent)
    assert ticket_make(team=team).assignee is None


def test_bad_settings_are_refused() -> None:
    agent = UserFactory()
    with pytest.raises(ValidationFailed, match="availability must be"):
        availability_set(user=agent, availability="busy")
    with pytest.raises(ValidationFailed, match="strategy must be"):
        team_routing_update(team=TeamFactory(), strategy="random")
    with pytest.raises(ValidationFailed, match="capacity"):
        agent_routing_update(user=agent, capacity=-1)
    with pytest.raises(ValidationFailed, match="No skill"):
        agent_routing_update(user=agent, skill_ids=[424242])


@pytest.mark.django_db(transaction=True)
def test_two_routers_at_once_never_assign_a_ticket_twice() -> None:
    a, b = UserFactory(), UserFactory()
    team = team_of(a, b, strategy="manual")  # the queue fills while nobody routes
    waiting = [ticket_make(team=team) for _ in range(12)]
    for agent in (a, b):
        agent_routing_update(user=agent, capacity=50)
        availability_set(user=agent, availability="online")
    TeamRouting.objects.filter(team=team).update(strategy="least_loaded")
    errors: list[Exception] = []

    def drain() -> None:
        try:
            routing_drain(team=team)
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=drain) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert all(Ticket.objects.get(pk=t.pk).assignee in (a, b) for t in waiting)
    assignments = TicketEvent.objects.filter(field="assignee", ticket__in=waiting)
    assert assignments.count() == len(waiting)  # each ticket assigned exactly once
