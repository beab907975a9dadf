"""Helpers shared by the domain routers: the acting user and page envelopes."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Schema
from ninja.errors import AuthenticationError

from caredesk.accounts.models import User

T = TypeVar("T")


def actor(request: HttpRequest) -> User:
    """The authenticated user of an API request (token or session)."""
    user = getattr(request, "auth", None)
    if isinstance(user, User):
        return user
    raise AuthenticationError()


def staff_actor(request: HttpRequest) -> User:
    """The authenticated user, who must be an agent, supervisor or admin."""
    from caredesk.core.errors import PermissionDenied

    user = actor(request)
    if not user.is_staff_member:
        raise PermissionDenied("This is for agents.")
    return user


def supervisor_actor(request: HttpRequest) -> User:
    """The authenticated user, who must be a supervisor or an admin."""
    from caredesk.accounts.enums import Role
    from caredesk.core.errors import PermissionDenied

    user = staff_actor(request)
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied("This is for supervisors and admins.")
    return user


def admin_actor(request: HttpRequest) -> User:
    """The authenticated user, who must be an admin."""
    from caredesk.accounts.enums import Role
    from caredesk.core.errors import PermissionDenied

    user = staff_actor(request)
    if user.role != Role.ADMIN:
        raise PermissionDenied("This is for admins.")
    return user


M = TypeVar("M", bound=Model)


def found_or_404(objects: QuerySet[M], pk: int, entity: str) -> M:
    """The row with this id, or NotFound (a 404 problem body) naming the entity."""
    from caredesk.core.errors import NotFound

    row = objects.filter(pk=pk).first()
    if row is None:
        raise NotFound(entity, pk)
    return row


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
