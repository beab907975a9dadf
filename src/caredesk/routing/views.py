"""Routing screens: supervisors set team strategies and agents' capacity and skills;
every member of staff sets their own availability from the top bar."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caredesk.accounts.gates import staff_required, supervisor_required, user_of
from caredesk.accounts.models import Team, User
from caredesk.core.web import model_screen
from caredesk.notifications.selectors import notifications_unread_count
from caredesk.routing.forms import AgentRoutingForm, AvailabilityForm, SkillForm, TeamRoutingForm
from caredesk.routing.models import Skill
from caredesk.routing.selectors import agents_routing, teams_routing
from caredesk.routing.services import (
    agent_profile,
    agent_routing_update,
    availability_set,
    team_routing_update,
)


@require_GET
@supervisor_required
def routing_page(request: HttpRequest) -> HttpResponse:
    skills = {s.pk: s for s in Skill.objects.order_by("kind", "name")}
    agents = agents_routing()
    for a in agents:
        a["skills"] = [skills[i] for i in a["skill_ids"] if i in skills]
        a["form"] = AgentRoutingForm(
            initial={
                "availability": a["availability"],
                "capacity": a["capacity"],
                "skills": a["skill_ids"],
            },
            prefix=f"agent{a['user_id']}",
        )
    teams = teams_routing()
    for t in teams:
        t["form"] = TeamRoutingForm(
            initial={"strategy": t["strategy"], "rebalance_on_offline": t["rebalance_on_offline"]},
            prefix=f"team{t['team_id']}",
        )
    return render(
        request, "routing/routing.html", {"nav": "manage", "agents": agents, "teams": teams}
    )


@require_POST
@supervisor_required
def team_save(request: HttpRequest, team_id: int) -> HttpResponse:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404
    form = TeamRoutingForm(request.POST, prefix=f"team{team_id}")
    if form.is_valid():
        team_routing_update(
            team=team,
            strategy=form.cleaned_data["strategy"],
            rebalance_on_offline=form.cleaned_data["rebalance_on_offline"],
        )
        messages.success(request, _("Routing of %(team)s saved.") % {"team": team})
    else:
        messages.error(request, _("Choose a strategy."))
    return redirect("manage:routing")


@require_POST
@supervisor_required
def agent_save(request: HttpRequest, user_id: int) -> HttpResponse:
    agent = User.objects.filter(pk=user_id, is_active=True).first()
    if agent is None or not agent.is_staff_member:
        raise Http404
    form = AgentRoutingForm(request.POST, prefix=f"agent{user_id}")
    if not form.is_valid():
        messages.error(request, _("Capacity is a number from 0 to 1000; choose an availability."))
        return redirect("manage:routing")
    agent_routing_update(
        user=agent,
        capacity=form.cleaned_data["capacity"],
        skill_ids=[s.pk for s in form.cleaned_data["skills"]],
    )
    availability_set(user=agent, availability=form.cleaned_data["availability"])
    messages.success(
        request, _("Routing of %(display_name)s saved.") % {"display_name": agent.display_name}
    )
    return redirect("manage:routing")


@require_http_methods(["GET", "POST"])
@supervisor_required
def skills(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=SkillForm,
        objects=Skill.objects.order_by("kind", "name"),
        object_id=object_id,
        title=_("Skills"),
        url_name="manage:skills",
        columns=["name", "kind"],
    )


@require_http_methods(["GET", "POST"])
@staff_required
def my_status(request: HttpRequest) -> HttpResponse:
    """The top bar's availability switch and unread count (loaded by htmx, so that pages
    pay no query for it)."""

    user = user_of(request)
    if request.method == "POST":
        form = AvailabilityForm(request.POST)
        if form.is_valid():
            availability_set(user=user, availability=form.cleaned_data["availability"])
    profile = agent_profile(user)
    return render(
        request,
        "routing/partials/status.html",
        {
            "form": AvailabilityForm(initial={"availability": profile.availability}),
            "availability": profile.availability,
            "unread": notifications_unread_count(user=user),
        },
    )
