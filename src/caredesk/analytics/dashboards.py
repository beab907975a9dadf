"""The boards behind the dashboards: figures from the KPI module (analytics.kpis) over
the selectors' facts, charts from analytics.charts, and for every count the measure
its drill-down lists."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.analytics import charts, kpis
from caredesk.analytics.figures import kpi_facts
from caredesk.analytics.rollups import RollupView, period_tally
from caredesk.analytics.selectors import (
    Scope,
    created_tickets,
    kpi_period,
    lookups,
    solved_per_day,
    survey_scores,
)
from caredesk.customers.selectors import segment_list, segment_members
from caredesk.knowledge.kpis import article_figures, knowledge_figures
from caredesk.surveys.models import FollowUp, FollowUpStatus, SurveyKind
from caredesk.tickets.enums import OPEN_STATUSES, TicketStatus, TicketType
from caredesk.tickets.models import Ticket

FORECAST_WEEKS = 4
TREND_WEEKS = 8
TREND_MONTHS = 12


@dataclass
class Figure:
    label: str
    value: Any
    measure: str | None = None  # the drill-down: which tickets it counts
    note: str = ""
    link: str = ""


@dataclass
class Board:
    period: kpis.Period | None
    figures: list[Figure] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # SVG
    tables: dict[str, Any] = field(default_factory=dict)
    scope: Scope = field(default_factory=Scope)


def period_query(period: kpis.Period, scope: Scope, **more: str) -> str:
    """The query string that shows this period and scope again (filters, drill-downs,
    exports)."""
    query = {"from": period.date_from.isoformat(), "to": period.date_to.isoformat(),
             "tz": period.tz, **more}  # fmt: skip
    if scope.team_id is not None:
        query["team"] = str(scope.team_id)
    if scope.assignee_id is not None:
        query["assignee"] = str(scope.assignee_id)
    if scope.channel:
        query["channel"] = scope.channel
    return urlencode(query)


def drill_link(period: kpis.Period, scope: Scope, measure: str) -> str:
    """The page that lists the tickets a figure counts."""
    return reverse("dashboard_drill") + "?" + period_query(period, scope, measure=measure)


def _linked(board: Board) -> Board:
    if board.period is not None:
        for figure in board.figures:
            if figure.measure:
                figure.link = drill_link(board.period, board.scope, figure.measure)
    return board


def _minutes(value: float | None) -> str | None:
    if value is None:
        return None
    return f"{value / 60:.1f} h" if value >= 120 else f"{value:.0f} min"


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{100 * value:.0f} %"


def _days(period: kpis.Period) -> list[dt.date]:
    n = (period.date_to - period.date_from).days + 1
    return [period.date_from + dt.timedelta(days=i) for i in range(n)]


def agent_board(*, period: kpis.Period, user: User) -> Board:
    scope = Scope(assignee_id=user.pk)
    facts = kpi_facts(period, scope)
    report = kpis.kpi_report(facts)
    open_now = Ticket.objects.filter(
        assignee=user, status__in=sorted(OPEN_STATUSES), merged_into__isnull=True
    ).count()
    board = Board(period=period, scope=scope)
    board.figures = [
        Figure(_("Open now"), open_now, note=_("assigned to you")),
        Figure(_("Solved"), report["tickets_solved"], measure="solved"),
        *_speed(report),
        Figure(
            _("CSAT (satisfied)"),
            _pct(report["csat"]["percent_satisfied"]),
            note=_("%(report_csat_responses)s responses")
            % {"report_csat_responses": report["csat"]["responses"]},
        ),
    ]
    board.charts.append(_solved_per_day(period, scope))
    return _linked(board)


def _speed(report: dict[str, Any]) -> list[Figure]:
    """First response and resolution medians, first-contact resolution, reopen rate."""
    return [
        Figure(
            _("First response (median)"),
            _minutes(report["first_response_minutes"]["median"]),
            measure="answered",
        ),
        Figure(
            _("Resolution (median)"),
            _minutes(report["resolution_minutes"]["median"]),
            measure="solved",
        ),
        Figure(_("First-contact resolution"), _percent(report["fcr_rate"]), measure="fcr"),
        Figure(_("Reopen rate"), _percent(report["reopen_rate"]), measure="reopened"),
    ]


def _signed(value: float | None) -> str | None:
    return None if value is None else f"{value:+.0f}"


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.0f} %"


def _solved_per_day(period: kpis.Period, scope: Scope) -> str:
    days = _days(period)[-31:]
    per_day = solved_per_day(period, scope, since=days[0])
    return charts.bar_chart(
        _("Tickets solved per day"),
        [d.strftime("%d %b") for d in days],
        [float(per_day.get(d, 0)) for d in days],
    )


def team_board(*, scope: Scope, tz: str) -> Board:
    """Now: the team's backlog by status, SLA clocks in their warning time or past due,
    today's tickets against the forecast, the CSAT trend, follow-ups due."""
    now = timezone.now()
    today = timezone.localdate(now, timezone=zoneinfo.ZoneInfo(tz))
    board = Board(period=kpi_period(date_from=today, date_to=today, tz=tz), scope=scope)
    open_tickets = Ticket.objects.filter(
        status__in=sorted(OPEN_STATUSES), merged_into__isnull=True, **scope.on_tickets()
    )
    by_status = dict(open_tickets.values_list("status").annotate(n=Count("id")))
    board.tables["backlog"] = [
        (TicketStatus(s).label, by_status.get(s, 0))
        for s in TicketStatus.values
        if s in OPEN_STATUSES
    ]
    board.tables["at_risk"] = _at_risk(open_tickets, now)
    created_today = len(created_tickets(board.period, scope)) if board.period else 0
    expected, by_now = _forecast(today, tz, scope, now)
    board.figures = [
        Figure(_("Open now"), sum(by_status.values()), measure="backlog"),
        Figure(
            _("Created today"),
            created_today,
            measure="created",
            note=_("forecast %(expected)s for the day, %(by_now)s by now")
            % {"expected": format(expected, ".0f"), "by_now": format(by_now, ".0f")},
        ),
        Figure(_("SLA at risk or breached"), len(board.tables["at_risk"])),
    ]
    board.charts.append(_csat_trend(today, tz, scope))
    follow_ups = FollowUp.objects.filter(status=FollowUpStatus.OPEN).select_related(
        "response__customer", "ticket"
    )
    if scope.team_id is not None:
        follow_ups = follow_ups.filter(team_id=scope.team_id)
    board.tables["follow_ups"] = list(follow_ups.order_by("due_at", "id")[:20])
    return _linked(board)


def _at_risk(open_tickets: Any, now: dt.datetime) -> list[dict[str, Any]]:
    """Open tickets with a first-response or resolution clock in its warning time or
    past due and not met, soonest due first."""

    rows = []
    for target in ("first_response", "resolution"):
        due, warn, met = f"sla__{target}_due", f"sla__{target}_warn", f"sla__{target}_met"
        risky = open_tickets.filter(
            Q(**{f"{warn}__lte": now}) | Q(**{f"{due}__lte": now}), **{f"{met}__isnull": True}
        ).exclude(**{f"{due}__isnull": True})
        for pk, subject, when in risky.values_list("id", "subject", due)[:50]:
            rows.append({"id": pk, "subject": subject, "target": target.replace("_", " "),
                         "due": when, "breached": when <= now})  # fmt: skip
    return sorted(rows, key=lambda r: r["due"])[:50]


def _forecast(today: dt.date, tz: str, scope: Scope, now: dt.datetime) -> tuple[float, float]:
    """Tickets expected today, and by this time of day: the mean of the same weekday in
    the previous four weeks (a seasonal naive forecast)."""
    zone = zoneinfo.ZoneInfo(tz)
    whole, so_far = [], []
    clock = now.astimezone(zone).time()
    for week in range(1, FORECAST_WEEKS + 1):
        day = today - dt.timedelta(weeks=week)
        created = created_tickets(kpi_period(date_from=day, date_to=day, tz=tz), scope)
        whole.append(len(created))
        so_far.append(sum(1 for t in created if t.created_at.astimezone(zone).time() <= clock))
    return sum(whole) / len(whole), sum(so_far) / len(so_far)


def _csat_trend(today: dt.date, tz: str, scope: Scope) -> str:
    labels, values = [], []
    monday = today - dt.timedelta(days=today.weekday())
    for week in range(TREND_WEEKS - 1, -1, -1):
        start = monday - dt.timedelta(weeks=week)
        period = kpi_period(date_from=start, date_to=start + dt.timedelta(days=6), tz=tz)
        labels.append(start.strftime("%d %b"))
        values.append(kpis.csat(survey_scores(period, SurveyKind.CSAT, scope))["percent_satisfied"])
    return charts.line_chart(_('CSAT, percent satisfied, by week'), labels,
                             [charts.Series(_('CSAT %'), values)], unit="%")  # fmt: skip


def manager_board(*, period: kpis.Period, scope: Scope) -> Board:
    view = RollupView.now()
    facts = kpi_facts(period, scope, view=view)
    report = kpis.kpi_report(facts)
    board = Board(period=period, scope=scope)
    board.figures = [
        Figure(_("Tickets created"), report["tickets_created"], measure="created"),
        Figure(_("Tickets solved"), report["tickets_solved"], measure="solved"),
        *_speed(report),
        Figure(_("Backlog at the end"), report["backlog_end"], measure="backlog"),
        Figure(
            _("CSAT (satisfied)"),
            _pct(report["csat"]["percent_satisfied"]),
            note=_("top box %(pct_report_csat_top_box_percen)s")
            % {"pct_report_csat_top_box_percen": _pct(report["csat"]["top_box_percent"]) or "-"},
        ),
        Figure(
            _("NPS"),
            _signed(report["nps"]["score"]),
            note=_("%(report_nps_responses)s responses")
            % {"report_nps_responses": report["nps"]["responses"]},
        ),
        Figure(_("Complaint rate"), _percent(report["complaint_rate"])),
    ]
    board.tables["report"] = report
    board.charts += _monthly_trends(period, scope, view)
    board.charts.append(
        charts.bar_chart(
            _("Tickets created by channel"),
            list(report["by_channel"]),
            [float(v) for v in report["by_channel"].values()],
        )
    )
    nps = report["nps"]
    if nps["responses"]:
        board.charts.append(charts.stacked_share(_('NPS: promoters, passives, detractors'), [
            ("Promoters", nps["promoters_percent"]), ("Passives", nps["passives_percent"]),
            ("Detractors", nps["detractors_percent"])]))  # fmt: skip
    board.tables["by_team"] = report["by_team"]
    board.tables["by_segment"] = _by_segment(period, scope)
    board.tables["complaint_themes"] = _complaint_themes(period, scope)
    _self_service(board, period)
    return _linked(board)


def _self_service(board: Board, period: kpis.Period) -> None:
    """The knowledge base's part: help-centre figures for the period (the whole help
    centre: articles have no team), per article, and the searches nothing answered."""
    figures = knowledge_figures(start=period.start, end=period.end)
    board.tables["self_service"] = [
        Figure(_("Article views"), figures.views),
        Figure(
            _("Helpful"),
            _percent(figures.helpful_share),
            note=_("%(votes)s votes") % {"votes": figures.votes},
        ),
        Figure(
            _("Searches without a result"),
            figures.searches_without_result,
            note=_("of %(searches)s") % {"searches": figures.searches},
        ),
        Figure(
            _("Deflection rate"),
            _percent(figures.deflection_rate),
            note=_("%(deflected)s of %(suggested)s request forms left after an article")
            % {"deflected": figures.deflected_sessions, "suggested": figures.suggested_sessions},
        ),
        Figure(
            _("Self-service score"),
            None if figures.self_service_score is None else f"{figures.self_service_score:.2f}",
            note=_("help-centre sessions per ticket"),
        ),
    ]
    board.tables["articles"] = article_figures(start=period.start, end=period.end, limit=20)
    board.tables["unanswered"] = figures.unanswered


def _monthly_trends(period: kpis.Period, scope: Scope, view: RollupView) -> list[str]:
    first = period.date_to.replace(day=1)
    months = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        start = dt.date(year, month + 1, 1)
        nxt = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        months.append((start, nxt - dt.timedelta(days=1)))
    labels, created, solved, frt, csat, nps = [], [], [], [], [], []
    for start, end in months:
        p = kpi_period(date_from=start, date_to=end, tz=period.tz)
        tally = period_tally(p, scope, view)
        labels.append(start.strftime("%b %y"))
        created.append(float(tally.created))
        solved.append(float(tally.solved))
        frt.append(tally.first_response.distribution(lookups(p, scope)["first_response"]).median)
        csat.append(kpis.csat(tally.scores.get(SurveyKind.CSAT, {}))["percent_satisfied"])
        nps.append(kpis.nps(tally.scores.get(SurveyKind.NPS, {}))["score"])
    return [
        charts.line_chart(
            _("Tickets by month"),
            labels,
            [charts.Series(_("created"), created), charts.Series(_("solved"), solved)],
        ),
        charts.line_chart(
            _("First response, median minutes, by month"),
            labels,
            [charts.Series(_("minutes"), frt)],
        ),
        charts.line_chart(
            _("CSAT (percent satisfied) and NPS, by month"),
            labels,
            [charts.Series(_("CSAT %"), csat), charts.Series(_("NPS"), nps)],
        ),
    ]


def _by_segment(period: kpis.Period, scope: Scope) -> list[tuple[str, int]]:
    """Tickets created in the period by the segments their requesters are in now."""

    made = Ticket.objects.filter(
        created_at__gte=period.start,
        created_at__lt=period.end,
        merged_into__isnull=True,
        **scope.on_tickets(),
    )
    return [
        (segment.name, made.filter(requester__in=segment_members(segment=segment)).count())
        for segment in segment_list()[:20]
    ]


def _complaint_themes(period: kpis.Period, scope: Scope) -> list[tuple[str, int]]:
    """The tags of the period's complaints, the most frequent first."""
    complaints = Ticket.objects.filter(
        type=TicketType.COMPLAINT,
        created_at__gte=period.start,
        created_at__lt=period.end,
        merged_into__isnull=True,
        **scope.on_tickets(),
    )
    rows = (
        complaints.values_list("tags__name")
        .exclude(tags__name__isnull=True)
        .annotate(n=Count("id"))
        .order_by("-n", "tags__name")[:10]
    )
    return [(name, n) for name, n in rows]
