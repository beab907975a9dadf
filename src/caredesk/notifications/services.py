"""Tell staff about what needs them: one row per person, shown until read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from caredesk.accounts.enums import STAFF_ROLES, Role
from caredesk.accounts.models import Team, User
from caredesk.notifications.models import Notification
from caredesk.tickets.models import Ticket


def notify(
    *, users: Iterable[User | None], kind: str, text: str, ticket: Ticket | None = None
) -> list[Notification]:
    """One notification for each distinct active member of staff among ``users``."""
    seen: set[int] = set()
    rows = []
    now = timezone.now()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        if user.role not in STAFF_ROLES:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(user=user, ticket=ticket, kind=kind, text=text[:500], created_at=now)
        )
    return Notification.objects.bulk_create(rows)


def team_members(team: Team | None) -> list[User]:
    if team is None:
        return []
    return list(team.members.filter(is_active=True, role__in=sorted(STAFF_ROLES)))


def supervisors_of(team: Team | None) -> list[User]:
    """The team's supervisors; without any, every supervisor and admin."""
    wanted = Q(is_active=True, role__in=[Role.SUPERVISOR, Role.ADMIN])
    if team is not None:
        found = list(team.members.filter(wanted))
        if found:
            return found
    return list(User.objects.filter(wanted).order_by("id"))


def responsible_for(ticket: Ticket) -> list[User]:
    """Who hears about a ticket's SLA: its assignee, else its team, else supervisors."""
    if ticket.assignee is not None and ticket.assignee.is_active:
        return [ticket.assignee]
    members = team_members(ticket.team)
    return members or supervisors_of(ticket.team)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (the given ones, or all); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
