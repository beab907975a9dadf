"""Read users and teams."""

from __future__ import annotations

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
