"""The agent inbox: its named views, their counts, and the filters a view starts from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.utils import timezone

from caredesk.accounts.models import User
from caredesk.tickets.enums import OPEN_STATUSES, TicketStatus
from caredesk.tickets.models import Ticket
from caredesk.tickets.selectors import TicketFilters, overdue_ticket_ids

SOLVED_RECENTLY_DAYS = 7


@dataclass(frozen=True)
class InboxView:
    key: str
    label: str


VIEWS = (
    InboxView("mine", "My open tickets"),
    InboxView("unassigned", "Unassigned"),
    InboxView("team", "My teams"),
    InboxView("open", "All open"),
    InboxView("overdue", "Overdue"),
    InboxView("solved", "Solved recently"),
)
VIEW_KEYS = frozenset(v.key for v in VIEWS)


def _team_ids(user: User) -> list[int]:
    return list(user.teams.values_list("pk", flat=True))


def inbox_view_filters(*, user: User, view: str, now: dt.datetime | None = None) -> TicketFilters:
    """The filters a named view starts from; the user's own filters narrow them."""
    now = now or timezone.now()
    base = TicketFilters(open=True)
    if view == "mine":
        return replace(base, assignee_id=user.pk)
    if view == "unassigned":
        return replace(base, unassigned=True)
    if view == "team":
        return replace(base, team_ids=_team_ids(user))
    if view == "overdue":
        return replace(base, overdue_at=now)
    if view == "solved":
        return TicketFilters(
            status=[TicketStatus.SOLVED],
            solved_since=now - dt.timedelta(days=SOLVED_RECENTLY_DAYS),
        )
    return base


GLOBAL_COUNTS_KEY = "caredesk:inbox:global-counts"
GLOBAL_COUNTS_SECONDS = 10


def inbox_counts(*, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """How many tickets each view holds. One COUNT per view, each answered from an index
    alone (status; assignee+status; team+status; solved_at of solved tickets; due
    commitments). The views that are the same for every agent (all open, unassigned,
    overdue, solved recently) are counted at most once every GLOBAL_COUNTS_SECONDS for
    all agents together, through the shared cache: at a million tickets "all open" is
    a count over some 150,000 index entries, which fifty agents need not repeat on every
    page. The agent's own views are always exact."""
    now = now or timezone.now()
    open_tickets = Ticket.objects.filter(status__in=sorted(OPEN_STATUSES))

    def global_counts() -> dict[str, int]:
        return {
            "unassigned": open_tickets.filter(assignee__isnull=True).count(),
            "open": open_tickets.count(),
            "overdue": overdue_ticket_ids(now=now).distinct().count(),
            "solved": Ticket.objects.filter(
                status=TicketStatus.SOLVED,
                solved_at__gte=now - dt.timedelta(days=SOLVED_RECENTLY_DAYS),
            ).count(),
        }

    shared: dict[str, int] | None = cache.get(GLOBAL_COUNTS_KEY)
    if shared is None:
        shared = global_counts()
        cache.set(GLOBAL_COUNTS_KEY, shared, GLOBAL_COUNTS_SECONDS)
    return {
        "mine": open_tickets.filter(assignee_id=user.pk).count(),
        "team": open_tickets.filter(team_id__in=user.teams.values("pk")).count(),
        **shared,
    }
