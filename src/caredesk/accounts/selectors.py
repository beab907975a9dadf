"""Read users and teams."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from caredesk.accounts.enums import STAFF_ROLES
from caredesk.accounts.errors import AccountErrorCode
from caredesk.accounts.models import Team, User
from caredesk.core.errors import NotFound, ValidationFailed


def staff_list() -> QuerySet[User]:
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("email")


def team_list() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def staff_get(*, user_id: int) -> User:
    """An active agent, supervisor or admin by id (for assignment)."""
    user = User.objects.filter(pk=user_id, role__in=STAFF_ROLES).first()
    if user is None:
        raise NotFound("agent", user_id)
    if not user.is_active:
        raise ValidationFailed(
            AccountErrorCode.AGENT_INACTIVE, _("That agent is inactive."), field="assignee_id"
        )
    return user


def team_get(*, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound("team", team_id)
    return team


def team_id_checked(data: dict[str, Any], code: StrEnum) -> dict[str, Any]:
    """``data`` with its team as ``team_id`` (a form gives the team itself, the API its
    id); an id of no team is refused with ``code``, the caller's own."""
    checked = dict(data)
    if "team" in checked:
        team = checked.pop("team")
        checked["team_id"] = team.pk if team is not None else None
    team_id = checked.get("team_id")
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise ValidationFailed(
            code, _("No team with id %(team_id)s.") % {"team_id": team_id}, field="team_id"
        )
    return checked
