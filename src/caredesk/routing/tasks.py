"""Jobs of the routing domain."""

from __future__ import annotations

from celery import shared_task

from caredesk.core.jobs import RETRY


@shared_task(acks_late=True, **RETRY)
def routing_drain_task(team_id: int | None = None) -> int:
    """Route queued tickets to agents with room (one team, or every routed team)."""
    from caredesk.accounts.models import Team
    from caredesk.routing.services import routing_drain

    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    if team_id is not None and team is None:
        return 0  # deleted since
    return routing_drain(team=team)
