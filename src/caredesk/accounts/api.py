"""Who am I, teams, agents and my API tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from caredesk.accounts.gates import actor
from caredesk.accounts.models import ApiToken, User
from caredesk.accounts.schemas import MeOut, TeamOut, TokenCreatedOut, TokenIn, TokenOut, UserRef
from caredesk.accounts.selectors import staff_list, team_list
from caredesk.accounts.services import token_create, token_revoke
from caredesk.core.errors import NotFound, PermissionDenied

router = Router(tags=["accounts"])


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "email": user.email, "name": user.display_name, "role": user.role}


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    user = actor(request)
    return {
        **(user_ref(user) or {}),
        "customer_id": user.customer_id,
        "teams": [t.name for t in user.teams.all()],
    }


@router.get("/teams", response=list[TeamOut])
def teams(request: HttpRequest) -> list[dict[str, Any]]:
    if not actor(request).is_staff_member:
        raise PermissionDenied(_("Teams are for agents."))
    return [
        {"id": t.pk, "name": t.name, "member_ids": [m.pk for m in t.members.all()]}
        for t in team_list().prefetch_related("members")
    ]


@router.get("/agents", response=list[UserRef])
def agents(request: HttpRequest) -> list[dict[str, Any] | None]:
    if not actor(request).is_staff_member:
        raise PermissionDenied(_("The agent list is for agents."))
    return [user_ref(u) for u in staff_list()]


@router.get("/tokens", response=list[TokenOut])
def tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=actor(request)).order_by("-id"))


@router.post("/tokens", response={201: TokenCreatedOut})
def token_new(request: HttpRequest, body: TokenIn) -> Status[dict[str, Any]]:
    token, plain = token_create(user=actor(request), name=body.name)
    return Status(
        201, {"id": token.pk, "name": token.name, "token": plain, "created_at": token.created_at}
    )


@router.delete("/tokens/{token_id}", response={204: None})
def token_delete(request: HttpRequest, token_id: int) -> Status[None]:
    token = ApiToken.objects.filter(user=actor(request), pk=token_id).first()
    if token is None:
        raise NotFound("token", token_id)
    token_revoke(token=token)
    return Status(204, None)
