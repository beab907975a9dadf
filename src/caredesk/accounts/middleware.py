"""Enforce two-factor sign-in for the roles the admin chose."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from caredesk.accounts.services import mfa_required_roles

SESSION_KEY = "caredesk_mfa_ok"
# Where a user who still has to set up two-factor may go: the set-up pages themselves,
# sign-out, static files.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class MfaRequiredMiddleware:
    """Send a signed-in user whose role requires two-factor authentication, and who has
    none, to the authenticator set-up page before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(SESSION_KEY)
            and not request.path.startswith(EXEMPT_PREFIXES)
            and getattr(user, "role", None) in mfa_required_roles()
        ):
            if not is_mfa_enabled(user):
                return redirect("mfa_activate_totp")
            request.session[SESSION_KEY] = True
        return self.get_response(request)
