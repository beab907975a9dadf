"""Read routing state: agents with their load, teams with their queue length."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from caredesk.accounts.enums import STAFF_ROLES
from caredesk.accounts.models import Team, User
from caredesk.routing.models import AgentProfile, Availability, TeamRouting
from caredesk.routing.services import QUEUED_STATUSES, loads
from caredesk.tickets.models import Ticket


def agents_routing(*, user_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Every active member of staff (or those given) with availability, capacity, load,
    skills and teams, in a fixed number of queries."""
    users = User.objects.filter(is_active=True, role__in=sorted(STAFF_ROLES)).order_by("id")
    if user_ids is not None:
        users = users.filter(pk__in=user_ids)
    people = list(users.prefetch_related("teams"))
    profiles = {
        p.pk: p
        for p in AgentProfile.objects.filter(pk__in=[u.pk for u in people]).prefetch_related(
            "skills"
        )
    }
    load = loads(u.pk for u in people)
    out = []
    for u in people:
        p = profiles.get(u.pk) or AgentProfile(user=u)
        out.append(
            {
                "user_id": u.pk,
                "name": u.display_name,
                "availability": p.availability if u.pk in profiles else Availability.OFFLINE,
                "availability_changed_at": p.availability_changed_at,
                "capacity": p.capacity,
                "open_tickets": load.get(u.pk, 0),
                "skill_ids": sorted(s.pk for s in p.skills.all()) if u.pk in profiles else [],
                "team_ids": sorted(t.pk for t in u.teams.all()),
            }
        )
    return out


def teams_routing() -> list[dict[str, Any]]:
    """Every team with its strategy and how many tickets wait in its queue."""
    queued = dict(
        Ticket.objects.filter(
            team__isnull=False, assignee__isnull=True, status__in=list(QUEUED_STATUSES)
        )
        .values("team")
        .annotate(n=Count("id"))
        .values_list("team", "n")
    )
    settings = {r.pk: r for r in TeamRouting.objects.all()}
    return [
        {
            "team_id": t.pk,
            "name": t.name,
            "strategy": settings[t.pk].strategy if t.pk in settings else "manual",
            "rebalance_on_offline": settings[t.pk].rebalance_on_offline
            if t.pk in settings
            else True,
            "queued": queued.get(t.pk, 0),
        }
        for t in Team.objects.order_by("name")
    ]
