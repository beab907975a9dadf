"""Routing over JSON: skills, agents' capacity, skills and availability, team strategies."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from caredesk.accounts.enums import Role
from caredesk.accounts.gates import staff_actor, supervisor_actor
from caredesk.accounts.models import Team, User
from caredesk.core.api import found_or_404
from caredesk.core.errors import NotFound, PermissionDenied
from caredesk.routing.models import Skill
from caredesk.routing.schemas import (
    AgentRoutingIn,
    AgentRoutingOut,
    AvailabilityIn,
    SkillIn,
    SkillOut,
    TeamRoutingIn,
    TeamRoutingOut,
    TicketSkillsIn,
)
from caredesk.routing.selectors import agents_routing, teams_routing
from caredesk.routing.services import (
    agent_routing_update,
    availability_set,
    routing_route,
    skill_get_or_create,
    team_routing_update,
    ticket_skills_require,
)
from caredesk.tickets.selectors import ticket_get_for_user

router = Router(tags=["routing"])


@router.get("/skills", response=list[SkillOut])
def skills(request: HttpRequest) -> list[Skill]:
    staff_actor(request)
    return list(Skill.objects.order_by("kind", "name"))


@router.post("/skills", response={201: SkillOut})
def skill_create(request: HttpRequest, body: SkillIn) -> Status[Skill]:
    supervisor_actor(request)
    return Status(201, skill_get_or_create(kind=body.kind, name=body.name))


@router.delete("/skills/{skill_id}", response={204: None})
def skill_remove(request: HttpRequest, skill_id: int) -> Status[None]:
    supervisor_actor(request)
    deleted, _ = Skill.objects.filter(pk=skill_id).delete()
    if not deleted:
        raise NotFound("skill", skill_id)
    return Status(204, None)


@router.get("/agents", response=list[AgentRoutingOut])
def agents(request: HttpRequest) -> list[dict[str, Any]]:
    """Every member of staff: availability, capacity, open tickets, skills, teams."""
    staff_actor(request)
    return agents_routing()


def _agent(user_id: int) -> User:
    found = User.objects.filter(pk=user_id, is_active=True).first()
    if found is None or not found.is_staff_member:
        raise NotFound("agent", user_id)
    return found


@router.patch("/agents/{user_id}", response=AgentRoutingOut)
def agent_update(request: HttpRequest, user_id: int, body: AgentRoutingIn) -> dict[str, Any]:
    """Agents change their own availability; supervisors and admins change anyone's,
    and capacity and skills."""
    user = staff_actor(request)
    agent = _agent(user_id)
    manager = user.role in (Role.SUPERVISOR, Role.ADMIN)
    if not manager and (agent != user or body.capacity is not None or body.skill_ids is not None):
        raise PermissionDenied(_("Agents may change only their own availability."))
    if body.capacity is not None or body.skill_ids is not None:
        agent_routing_update(user=agent, capacity=body.capacity, skill_ids=body.skill_ids)
    if body.availability is not None:
        availability_set(user=agent, availability=body.availability)
    return agents_routing(user_ids=[agent.pk])[0]


@router.put("/me/availability", response=AgentRoutingOut)
def my_availability(request: HttpRequest, body: AvailabilityIn) -> dict[str, Any]:
    user = staff_actor(request)
    availability_set(user=user, availability=body.availability)
    return agents_routing(user_ids=[user.pk])[0]


@router.get("/teams", response=list[TeamRoutingOut])
def teams(request: HttpRequest) -> list[dict[str, Any]]:
    staff_actor(request)
    return teams_routing()


@router.patch("/teams/{team_id}", response=TeamRoutingOut)
def team_update(request: HttpRequest, team_id: int, body: TeamRoutingIn) -> dict[str, Any]:
    supervisor_actor(request)
    team = found_or_404(Team.objects.all(), team_id, "team")
    team_routing_update(
        team=team, strategy=body.strategy, rebalance_on_offline=body.rebalance_on_offline
    )
    return next(t for t in teams_routing() if t["team_id"] == team.pk)


@router.post("/tickets/{ticket_id}/skills", response=list[SkillOut])
def ticket_skills(request: HttpRequest, ticket_id: int, body: TicketSkillsIn) -> list[Skill]:
    """Add skills a ticket needs, then route it if it waits in a queue."""
    user = staff_actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    ticket_skills_require(ticket=ticket, skill_ids=body.skill_ids)
    routing_route(ticket=ticket)
    return list(Skill.objects.filter(pk__in=[s.skill_id for s in ticket.required_skills.all()]))
