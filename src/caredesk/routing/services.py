"""Who gets which ticket: each team's strategy over its online members who have room.

A team's queue is its unassigned new and open tickets. Routing never assigns to an agent
who is away, offline or at capacity; a ticket nobody can take waits in the queue and is
routed when someone comes online or finishes a ticket (and by the periodic job).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.enums import STAFF_ROLES
from caredesk.accounts.models import Team, User
from caredesk.core.errors import ValidationFailed
from caredesk.core.jobs import job_enqueue
from caredesk.core.validation import save_unique
from caredesk.notifications.models import NotificationKind
from caredesk.notifications.services import notify
from caredesk.routing.errors import RoutingErrorCode
from caredesk.routing.models import (
    AgentProfile,
    Availability,
    Skill,
    SkillKind,
    Strategy,
    TeamRouting,
    TicketSkill,
)
from caredesk.routing.tasks import routing_drain_task
from caredesk.tickets.enums import OPEN_STATUSES, TicketStatus
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import events_via
from caredesk.tickets.services.tickets import ticket_update

# The tickets routing hands out and takes back: not those waiting on someone else.
QUEUED_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN)
DRAIN_BATCH = 200


def agent_profile(user: User) -> AgentProfile:
    profile, _ = AgentProfile.objects.get_or_create(user=user)
    return profile


def team_routing(team: Team) -> TeamRouting:
    routing, _ = TeamRouting.objects.get_or_create(team=team)
    return routing


def skill_check(data: dict[str, Any]) -> dict[str, Any]:
    """A skill's kind and name, checked; the name with its spaces collapsed."""
    kind = data.get("kind") or SkillKind.OTHER
    if kind not in SkillKind.values:
        raise ValidationFailed(
            RoutingErrorCode.INVALID_SKILL_KIND,
            _("kind must be one of %(choices)s.") % {"choices": ", ".join(SkillKind.values)},
            field="kind",
        )
    name = " ".join(str(data.get("name") or "").split())
    if not name or len(name) > 80:
        raise ValidationFailed(
            RoutingErrorCode.INVALID_SKILL,
            _("A skill needs a name of at most 80 characters."),
            field="name",
        )
    return {**data, "kind": kind, "name": name}


def skill_get_or_create(*, kind: str, name: str) -> Skill:
    checked = skill_check({"kind": kind, "name": name})
    skill, _ = Skill.objects.get_or_create(kind=checked["kind"], name=checked["name"])
    return skill


def skill_save(*, skill: Skill | None, data: dict[str, Any]) -> Skill:
    """Create a skill (``skill`` None) or rename one; a kind and name taken are refused."""
    checked = skill_check(data)
    row = skill or Skill()
    row.kind, row.name = checked["kind"], checked["name"]
    return save_unique(
        row,
        taken=lambda: ValidationFailed(
            RoutingErrorCode.SKILL_TAKEN,
            _("A %(kind)s skill named %(name)s exists.")
            % {"kind": row.kind, "name": repr(row.name)},
            field="name",
        ),
    )


@transaction.atomic
def agent_routing_update(
    *,
    user: User,
    capacity: int | None = None,
    skill_ids: list[int] | None = None,
) -> AgentProfile:
    """Set an agent's capacity and skills (unknown skill ids are refused)."""
    if user.role not in STAFF_ROLES:
        raise ValidationFailed(
            RoutingErrorCode.NOT_STAFF, _("Only staff members are routed tickets.")
        )
    profile = agent_profile(user)
    if capacity is not None:
        if not 0 <= capacity <= 1000:
            raise ValidationFailed(
                RoutingErrorCode.INVALID_CAPACITY,
                _("capacity must be 0 to 1000."),
                field="capacity",
            )
        profile.capacity = capacity
        profile.save(update_fields=["capacity"])
    if skill_ids is not None:
        skills = list(Skill.objects.filter(pk__in=skill_ids))
        missing = sorted(set(skill_ids) - {s.pk for s in skills})
        if missing:
            raise ValidationFailed(
                RoutingErrorCode.UNKNOWN_SKILL,
                _("No skill with id %(missing_0)s.") % {"missing_0": missing[0]},
                field="skill_ids",
            )
        profile.skills.set(skills)
    routing_drain_later(user=user)
    return profile


@transaction.atomic
def team_routing_update(
    *, team: Team, strategy: str | None = None, rebalance_on_offline: bool | None = None
) -> TeamRouting:
    routing = team_routing(team)
    if strategy is not None:
        if strategy not in Strategy.values:
            raise ValidationFailed(
                RoutingErrorCode.INVALID_STRATEGY,
                _("strategy must be one of %(choices)s.") % {"choices": ", ".join(Strategy.values)},
                field="strategy",
            )
        routing.strategy = strategy
    if rebalance_on_offline is not None:
        routing.rebalance_on_offline = rebalance_on_offline
    routing.save()
    return routing


@transaction.atomic
def availability_set(*, user: User, availability: str) -> AgentProfile:
    """Go online, away or offline. Going offline hands back the agent's new and open
    tickets in teams that rebalance; going online routes queued tickets to them."""
    if availability not in Availability.values:
        raise ValidationFailed(
            RoutingErrorCode.INVALID_AVAILABILITY,
            _("availability must be one of %(choices)s.")
            % {"choices": ", ".join(Availability.values)},
            field="availability",
        )
    if user.role not in STAFF_ROLES:
        raise ValidationFailed(
            RoutingErrorCode.NOT_STAFF, _("Only staff members have an availability.")
        )
    profile = agent_profile(user)
    before = profile.availability
    if before == availability:
        return profile
    profile.availability = availability
    profile.availability_changed_at = timezone.now()
    profile.save(update_fields=["availability", "availability_changed_at"])
    if availability == Availability.OFFLINE:
        routing_rebalance(user=user)
    elif availability == Availability.ONLINE:
        routing_drain_later(user=user)
    return profile


def routing_drain_later(*, user: User) -> None:
    """After the commit, route the queues of the agent's routed teams (they may have
    room now: they came online, got capacity, or finished a ticket)."""

    routed = user.teams.exclude(routing__strategy=Strategy.MANUAL).filter(routing__isnull=False)
    for team_id in routed.values_list("pk", flat=True):
        job_enqueue(routing_drain_task, team_id)


def loads(user_ids: Iterable[int]) -> dict[int, int]:
    """Open tickets per agent (one query)."""
    rows = (
        Ticket.objects.filter(assignee_id__in=list(user_ids), status__in=sorted(OPEN_STATUSES))
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def candidates(
    *, team: Team, required_skill_ids: set[int] | None = None
) -> list[tuple[AgentProfile, int]]:
    """The team's online members with room, with their load, by id; only those with all
    ``required_skill_ids`` when given."""
    profiles = list(
        AgentProfile.objects.filter(
            user__teams=team,
            user__is_active=True,
            user__role__in=sorted(STAFF_ROLES),
            availability=Availability.ONLINE,
        )
        .select_related("user")
        .order_by("user_id")
    )
    if required_skill_ids:
        having: dict[int, set[int]] = {}
        for user_id, skill_id in AgentProfile.skills.through.objects.filter(
            agentprofile_id__in=[p.pk for p in profiles]
        ).values_list("agentprofile_id", "skill_id"):
            having.setdefault(user_id, set()).add(skill_id)
        profiles = [p for p in profiles if required_skill_ids <= having.get(p.pk, set())]
    load = loads(p.pk for p in profiles)
    return [(p, load.get(p.pk, 0)) for p in profiles if load.get(p.pk, 0) < p.capacity]


def routing_pick(*, ticket: Ticket, routing: TeamRouting) -> User | None:
    """The agent the team's strategy gives this ticket, or None if nobody can take it."""
    if routing.strategy == Strategy.MANUAL:
        return None
    required = None
    if routing.strategy == Strategy.SKILLS:
        required = set(TicketSkill.objects.filter(ticket=ticket).values_list("skill", flat=True))
    pool = candidates(team=routing.team, required_skill_ids=required)
    if not pool:
        return None
    if routing.strategy == Strategy.ROUND_ROBIN:
        last = routing.last_assigned_id or 0
        after = [p for p, _ in pool if p.pk > last]
        return (after[0] if after else pool[0][0]).user
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    best = min(pool, key=lambda pl: (pl[1], pl[0].last_assigned_at or epoch, pl[0].pk))
    return best[0].user


def routing_route(*, ticket: Ticket) -> User | None:
    """Assign an unassigned ticket in a routed team's queue, if someone can take it.
    The ticket is read again under a row lock, so two routers running at once (two
    workers, or a drain and a new ticket) never both assign it."""
    if ticket.assignee_id is not None or ticket.team_id is None:
        return None  # nothing to route: no transaction, no query
    with transaction.atomic():
        return _route(ticket, ticket.team_id)


def _route(ticket: Ticket, team_id: int) -> User | None:
    routing = TeamRouting.objects.select_related("team").filter(team_id=team_id).first()
    if routing is None or routing.strategy == Strategy.MANUAL:
        return None
    current = Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    if current is None or not _queued(current):
        return None
    agent = routing_pick(ticket=current, routing=routing)
    if agent is None:
        return None
    now = timezone.now()
    with events_via(f"routing: {routing.get_strategy_display()}"):
        ticket_update(ticket=current, actor=None, changes={"assignee": agent})
    ticket.refresh_from_db()
    TeamRouting.objects.filter(pk=routing.pk).update(last_assigned=agent)
    AgentProfile.objects.filter(pk=agent.pk).update(last_assigned_at=now)

    notify(
        users=[agent],
        kind=NotificationKind.ASSIGNED,
        text=_("Ticket #%(pk)s was routed to you: %(subject)s")
        % {"pk": ticket.pk, "subject": ticket.subject},
        ticket=ticket,
    )
    return agent


def _queued(ticket: Ticket) -> bool:
    return (
        ticket.assignee_id is None
        and ticket.status in QUEUED_STATUSES
        and ticket.merged_into_id is None
        and ticket.team_id is not None
    )


def routing_drain(*, team: Team | None = None, limit: int = DRAIN_BATCH) -> int:
    """Route queued tickets, oldest first, until nobody has room; returns how many."""
    teams = TeamRouting.objects.exclude(strategy=Strategy.MANUAL)
    if team is not None:
        teams = teams.filter(team=team)
    routed = 0
    for routing in teams.select_related("team"):
        queue = Ticket.objects.filter(
            team=routing.team,
            assignee__isnull=True,
            status__in=list(QUEUED_STATUSES),
            merged_into__isnull=True,
        ).order_by("created_at", "id")[:limit]
        for ticket in queue:
            if routing_route(ticket=ticket) is not None:
                routed += 1
            elif routing.strategy != Strategy.SKILLS and not _assigned_meanwhile(ticket):
                break  # nobody has room now; with skills, the next ticket may need others

    return routed


def _assigned_meanwhile(ticket: Ticket) -> bool:
    """Whether another router assigned the ticket since it was listed."""
    return Ticket.objects.filter(pk=ticket.pk, assignee__isnull=False).exists()


def routing_rebalance(*, user: User) -> int:
    """Hand back an agent's new and open tickets in teams that rebalance; route them
    again. Returns how many were handed back."""

    teams = TeamRouting.objects.filter(team__members=user, rebalance_on_offline=True)
    team_ids = list(teams.values_list("team_id", flat=True))
    if not team_ids:
        return 0
    tickets = list(
        Ticket.objects.filter(
            assignee=user, team_id__in=team_ids, status__in=list(QUEUED_STATUSES)
        ).order_by("created_at", "id")
    )
    with events_via(f"routing: {user.display_name} went offline"):
        for ticket in tickets:
            ticket_update(ticket=ticket, actor=None, changes={"assignee": None})
    for ticket in tickets:
        routing_route(ticket=ticket)
    return len(tickets)


def ticket_skills_require(*, ticket: Ticket, skill_ids: Iterable[int]) -> list[Skill]:
    """Add skills the ticket needs; unknown ids are refused."""
    wanted = set(skill_ids)
    skills = list(Skill.objects.filter(pk__in=wanted))
    if len(skills) != len(wanted):
        missing = sorted(wanted - {s.pk for s in skills})
        raise ValidationFailed(
            RoutingErrorCode.UNKNOWN_SKILL,
            _("No skill with id %(missing_0)s.") % {"missing_0": missing[0]},
        )
    TicketSkill.objects.bulk_create(
        [TicketSkill(ticket=ticket, skill=s) for s in skills], ignore_conflicts=True
    )
    return skills
