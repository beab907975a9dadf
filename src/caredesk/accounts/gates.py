"""Who may do what: the role gates of web pages and the acting user of API calls.

Every view and endpoint starts here: a page behind ``staff_required`` (or the
supervisor, admin and customer gates) and an endpoint calling ``staff_actor`` (or its
siblings) refuse anyone else before any domain code runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError

from caredesk.accounts.enums import Role
from caredesk.accounts.models import User
from caredesk.core.errors import PermissionDenied

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def _gate(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


staff_required = _gate(lambda user: user.is_active and user.is_staff_member)
"""Agents, supervisors and admins; a customer gets 403, a stranger the sign-in page."""

supervisor_required = _gate(
    lambda user: user.is_active and user.role in (Role.SUPERVISOR, Role.ADMIN)
)
"""Supervisors and admins: people who plan and run queues."""

admin_required = _gate(lambda user: user.is_active and user.role == Role.ADMIN)

customer_required = _gate(
    lambda user: user.is_active and user.role == Role.CUSTOMER and user.customer_id is not None
)
"""A customer account linked to its customer record (every one made by user_create is)."""


def user_of(request: HttpRequest) -> User:
    """The signed-in user of a view behind one of the gates above."""
    user = request.user
    if not isinstance(user, User):
        raise DjangoPermissionDenied
    return user


# --- the API


def actor(request: HttpRequest) -> User:
    """The authenticated user of an API request (token or session)."""
    user = getattr(request, "auth", None)
    if isinstance(user, User):
        return user
    raise AuthenticationError()


def staff_actor(request: HttpRequest) -> User:
    """The authenticated user, who must be an agent, supervisor or admin."""
    user = actor(request)
    if not user.is_staff_member:
        raise PermissionDenied(_("This is for agents."))
    return user


def supervisor_actor(request: HttpRequest) -> User:
    """The authenticated user, who must be a supervisor or an admin."""
    user = staff_actor(request)
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("This is for supervisors and admins."))
    return user


def admin_actor(request: HttpRequest) -> User:
    """The authenticated user, who must be an admin."""
    user = staff_actor(request)
    if user.role != Role.ADMIN:
        raise PermissionDenied(_("This is for admins."))
    return user
