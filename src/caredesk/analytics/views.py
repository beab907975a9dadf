"""Dashboards: an agent's own figures, a supervisor's team, a manager's trends; every
figure computed by the KPI module and every count a link to the tickets behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from caredesk.accounts.enums import Role
from caredesk.accounts.gates import staff_required, supervisor_required, user_of
from caredesk.accounts.models import Team
from caredesk.analytics import dashboards
from caredesk.analytics.exports import TABLES, table
from caredesk.analytics.forms import ScheduledReportForm
from caredesk.analytics.kpis import Period
from caredesk.analytics.models import ScheduledReport
from caredesk.analytics.selectors import MEASURES, Scope, kpi_period, tickets_behind
from caredesk.core.errors import DomainError
from caredesk.core.exports import csv_stream, table_xlsx
from caredesk.core.web import model_screen
from caredesk.tickets.enums import Channel
from caredesk.tickets.models import Ticket

DRILL_LIMIT = 500


def _period(request: HttpRequest, default_days: int) -> Period:
    """The period of ?from=&to=&tz= (by default the last ``default_days`` days in the
    user's time zone); ValidationFailed for a bad one."""
    tz = request.GET.get("tz") or timezone.get_current_timezone_name()
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from", ""))
        end = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        start, end = today - dt.timedelta(days=default_days - 1), today
    return kpi_period(date_from=start, date_to=end, tz=tz)


def _scope(request: HttpRequest, *, assignee_id: int | None = None) -> Scope:
    def number(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and len(value) <= 18 else None  # a bigint

    channel = request.GET.get("channel") or None
    return Scope(
        team_id=number("team"),
        assignee_id=assignee_id if assignee_id is not None else number("assignee"),
        channel=channel if channel in Channel.values else None,
    )


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("teams", Team.objects.order_by("name"))
    context.setdefault("channels", Channel.choices)
    return render(request, template, {"nav": "dashboards", **context}, status=status)


@require_GET
@staff_required
def mine(request: HttpRequest) -> HttpResponse:
    """An agent's own figures: the tickets assigned to them."""
    user = user_of(request)
    try:
        period = _period(request, 7)
    except DomainError as exc:
        return _refused(request, exc)
    board = dashboards.agent_board(period=period, user=user)
    return _render(request, "analytics/mine.html", {"board": board})


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _render(request, "analytics/error.html", {"error": exc.message}, status=422)


@require_GET
@supervisor_required
def team(request: HttpRequest) -> HttpResponse:
    """A supervisor's team now: backlog, SLA at risk, today against the forecast, CSAT
    trend, follow-ups due."""
    scope = _scope(request)
    board = dashboards.team_board(scope=scope, tz=timezone.get_current_timezone_name())
    return _render(request, "analytics/team.html", {"board": board, "scope": scope})


@require_GET
@supervisor_required
def manager(request: HttpRequest) -> HttpResponse:
    """Trends by month, the period by channel, team and segment, NPS, complaint themes."""
    scope = _scope(request)
    try:
        period = _period(request, 30)
    except DomainError as exc:
        return _refused(request, exc)
    board = dashboards.manager_board(period=period, scope=scope)
    exports = [("tickets", "tickets"), ("customers", "customers"), ("surveys", "survey responses")]
    return _render(request, "analytics/manager.html", {
        "board": board, "scope": scope, "exports": exports,
        "export_query": dashboards.period_query(period, scope),
    })  # fmt: skip


@require_GET
@staff_required
def drill(request: HttpRequest) -> HttpResponse:
    """The tickets behind a figure."""
    measure = request.GET.get("measure", "created")
    user = user_of(request)
    own = user.role not in (Role.SUPERVISOR, Role.ADMIN)  # agents: their own figures only
    scope = _scope(request, assignee_id=user.pk if own else None)
    try:
        period = _period(request, 30)
        ids = tickets_behind(period, scope, measure)
    except DomainError as exc:
        return _refused(request, exc)
    rows = (
        Ticket.objects.filter(pk__in=ids[:DRILL_LIMIT])
        .select_related("requester", "assignee", "team")
        .order_by("-created_at", "-id")
    )
    return _render(request, "analytics/drill.html", {
        "rows": rows, "count": len(ids), "limit": DRILL_LIMIT, "what": MEASURES[measure],
        "start": period.date_from, "end": period.date_to, "tz": period.tz,
        "back": request.META.get("HTTP_REFERER", ""),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
@supervisor_required
def scheduled_reports(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=ScheduledReportForm,
        objects=ScheduledReport.objects.select_related("team").order_by("name", "id"),
        object_id=object_id,
        title=_("Scheduled reports"),
        url_name="manage:reports",
        columns=[
            "name",
            "frequency",
            "format",
            "team",
            "next_run_at",
            "last_sent_at",
            "last_error",
            "active",
        ],
    )


@require_GET
@supervisor_required
def export(request: HttpRequest) -> HttpResponseBase:
    """Tickets, customers or survey responses of the period (and team, channel) as a CSV
    or XLSX download."""

    what, fmt = request.GET.get("what", ""), request.GET.get("format", "csv")
    if what not in TABLES or fmt not in ("csv", "xlsx"):
        return _render(request, "analytics/error.html",
                       {"error": "Choose tickets, customers or surveys, as csv or xlsx."},
                       status=422)  # fmt: skip
    try:
        period = _period(request, 30)
    except DomainError as exc:
        return _refused(request, exc)
    header, rows = table(what, period=period, scope=_scope(request))
    name = f"{what}-{period.date_from}-{period.date_to}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(header, rows), content_type="text/csv")
    else:
        response = HttpResponse(
            table_xlsx(header, rows, title=what),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
