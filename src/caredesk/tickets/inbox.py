"""The agent inbox: its named views, their counts, and the filters a view starts from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Count, Q
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


def inbox_counts(*, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """How many tickets each view holds, in two queries: one pass over the open and the
    recently solved tickets with a filtered count per view, and one for the overdue."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=SOLVED_RECENTLY_DAYS)
    is_open = Q(status__in=list(OPEN_STATUSES))
    counts = Ticket.objects.filter(
        is_open | Q(status=TicketStatus.SOLVED, solved_at__gte=since)
    ).aggregate(
        mine=Count("pk", filter=is_open & Q(assignee_id=user.pk)),
        unassigned=Count("pk", filter=is_open & Q(assignee__isnull=True)),
        team=Count("pk", filter=is_open & Q(team_id__in=user.teams.values("pk"))),
        open=Count("pk", filter=is_open),
        solved=Count("pk", filter=Q(status=TicketStatus.SOLVED, solved_at__gte=since)),
    )
    counts["overdue"] = overdue_ticket_ids(now=now).distinct().count()
    return {key: int(value or 0) for key, value in counts.items()}
