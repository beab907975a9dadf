"""The facts the KPIs are computed from, read from the tickets, their history, survey
responses, SLA clocks and purchases (the raw definitions, straight from the records).

A ticket's status at a moment is the new status of its last status change before that
moment; before its first change, the old status of that change; a ticket with no
recorded change (imported without history) has its current status throughout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from caredesk.analytics.kpis import (
    SOLVED_STATUSES,
    CreatedTicket,
    Invitations,
    KpiInput,
    Period,
    Purchase,
    SlaClock,
    SolvedTicket,
    kpi_report,
)
from caredesk.core.errors import ValidationFailed
from caredesk.core.periods import report_period
from caredesk.customers.models import Purchase as PurchaseRow
from caredesk.sla.business_hours import business_minutes_between
from caredesk.sla.services import calendar_of
from caredesk.surveys.models import DeliveryStatus, SurveyInvitation, SurveyKind, SurveyResponse
from caredesk.tickets.enums import AuthorRole, EventKind
from caredesk.tickets.models import Message, Ticket, TicketEvent

MAX_REPORT_DAYS = 3 * 366 + 1
SOLVED = sorted(SOLVED_STATUSES)
CREATED_FIELDS = ("id", "created_at", "channel", "type", "team__name", "requester_id",
                  "first_response_at", "sla__policy__calendar")  # fmt: skip
SOLVED_FIELDS = ("id", "created_at", "first_solved", "replies", "was_reopened",
                 "assignee__first_name", "assignee__last_name", "assignee__email")  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """Whose figures: a team's, an agent's (the tickets assigned to them), a channel's;
    with nothing set, everyone's."""

    team_id: int | None = None
    assignee_id: int | None = None
    channel: str | None = None

    @property
    def everything(self) -> bool:
        return self.team_id is None and self.assignee_id is None and self.channel is None

    def on_tickets(self, prefix: str = "") -> dict[str, object]:
        """The filter for tickets (``prefix``: the path to the ticket, "ticket__")."""
        wanted: dict[str, object] = {}
        if self.team_id is not None:
            wanted[f"{prefix}team_id"] = self.team_id
        if self.assignee_id is not None:
            wanted[f"{prefix}assignee_id"] = self.assignee_id
        if self.channel is not None:
            wanted[f"{prefix}channel"] = self.channel
        return wanted


EVERYONE = Scope()


def kpi_period(*, date_from: dt.date, date_to: dt.date, tz: str = "UTC") -> Period:
    """Inclusive calendar dates in a time zone (ValidationFailed for a bad one)."""
    start, end = report_period(
        date_from=date_from, date_to=date_to, tz=tz, max_days=MAX_REPORT_DAYS
    )
    return Period(start=start, end=end, date_from=date_from, date_to=date_to, tz=tz)


def kpis_for(period: Period, scope: Scope = EVERYONE) -> dict[str, Any]:
    """The KPI report of a period (docs/kpis.md), for everyone or for a scope (then
    without the customer figures: retention and lifetime value are the company's)."""
    return kpi_report(kpi_facts(period, scope))


def kpi_facts(period: Period, scope: Scope = EVERYONE) -> KpiInput:
    """Everything the report of a period is computed from (the dashboards reuse the
    ticket facts for their charts)."""
    from caredesk.customers.services import crm_settings_get

    return KpiInput(
        period=period,
        created=created_tickets(period, scope),
        solved=solved_tickets(period, scope),
        csat_scores=survey_scores(period, SurveyKind.CSAT, scope),
        nps_scores=survey_scores(period, SurveyKind.NPS, scope),
        ces_scores=survey_scores(period, SurveyKind.CES, scope),
        invitations=survey_invitations(period, scope),
        sla_clocks=sla_clocks(period, scope),
        backlog_ages_hours=[age for _, age in backlog(period, scope)],
        purchases=purchases_before(period.end) if scope.everything else [],
        lifecycle_window_days=crm_settings_get().recency_window_days,
    )


def _tickets(scope: Scope = EVERYONE) -> QuerySet[Ticket]:
    """Tickets that count: a ticket merged into another lives on in that one."""
    return Ticket.objects.filter(merged_into__isnull=True, **scope.on_tickets())


def created_tickets(period: Period, scope: Scope = EVERYONE) -> list[CreatedTicket]:
    rows = (
        _tickets(scope)
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .values_list(
            "id",
            "created_at",
            "channel",
            "type",
            "team__name",
            "requester_id",
            "first_response_at",
            "sla__policy__calendar",
        )
        .order_by("id")
    )
    calendars = _calendars({row[7] for row in rows if row[7] is not None and row[6] is not None})
    found = []
    for pk, created, channel, type_, team, requester, first, calendar_id in rows:
        business = None
        if first is not None and calendar_id in calendars:
            business = business_minutes_between(calendars[calendar_id], created, first)
        found.append(CreatedTicket(pk, created, channel, type_, team, requester, first, business))
    return found


def _calendars(ids: set[int]) -> dict[int, Any]:
    from caredesk.sla.models import BusinessCalendar

    return {c.pk: calendar_of(c) for c in BusinessCalendar.objects.filter(pk__in=ids)}


def _status_changes() -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(
        ticket=OuterRef("pk"), kind=EventKind.CHANGED, field="status"
    ).order_by()


def with_first_solved(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate first_solved: the first change to solved or closed; for a ticket with no
    recorded status change, when it was solved or closed."""
    first_change = (
        _status_changes().filter(new_value__in=SOLVED).order_by("at", "id").values("at")[:1]
    )
    return tickets.annotate(
        first_solved=Coalesce(Subquery(first_change), F("solved_at"), F("closed_at"))
    )


def solved_tickets(period: Period, scope: Scope = EVERYONE) -> list[SolvedTicket]:
    agent_replies = (
        Message.objects.filter(
            ticket=OuterRef("pk"),
            is_public=True,
            author_role=AuthorRole.AGENT,
            created_at__lte=OuterRef("first_solved"),
        )
        .order_by()
        .values("ticket")
        .annotate(n=Count("id"))
        .values("n")
    )
    reopened = _status_changes().filter(old_value__in=SOLVED).exclude(new_value__in=SOLVED)
    rows = (
        with_first_solved(_tickets(scope))
        .filter(Q(first_solved__gte=period.start) & Q(first_solved__lt=period.end))
        .annotate(
            replies=Coalesce(Subquery(agent_replies), 0),
            was_reopened=Exists(reopened),
        )
        .values_list(
            "id",
            "created_at",
            "first_solved",
            "replies",
            "was_reopened",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__email",
        )
        .order_by("id")
    )
    return [
        SolvedTicket(pk, created, solved, replies, reopened_, _name(first, last, email))
        for pk, created, solved, replies, reopened_, first, last, email in rows
    ]


def _name(first: str | None, last: str | None, email: str | None) -> str | None:
    full = f"{first or ''} {last or ''}".strip()
    return full or email or None


def survey_scores(period: Period, kind: str, scope: Scope = EVERYONE) -> list[int]:
    """Scores given in the period (for a scope: about its tickets)."""
    return list(
        SurveyResponse.objects.filter(
            kind=kind,
            responded_at__gte=period.start,
            responded_at__lt=period.end,
            **scope.on_tickets("ticket__"),
        ).values_list("score", flat=True)
    )


def survey_invitations(period: Period, scope: Scope = EVERYONE) -> dict[str, Invitations]:
    """Per kind, the surveys sent in the period and how many were answered."""
    rows = (
        SurveyInvitation.objects.filter(
            created_at__gte=period.start, created_at__lt=period.end, **scope.on_tickets("ticket__")
        )
        .exclude(status=DeliveryStatus.FAILED)
        .values("kind")
        .annotate(sent=Count("id"), answered=Count("response"))
    )
    return {r["kind"]: Invitations(r["sent"], r["answered"]) for r in rows}


def sla_clocks(period: Period, scope: Scope = EVERYONE) -> list[SlaClock]:
    from caredesk.sla.selectors import sla_clocks_settled

    return sla_clocks_settled(
        start=period.start, end=period.end, tickets=scope.on_tickets("ticket__")
    )


def status_at(moment: dt.datetime) -> Coalesce:
    """The ticket's status at ``moment``, as an annotation (see the module's docstring)."""
    before = _status_changes().filter(at__lt=moment).order_by("-at", "-id").values("new_value")[:1]
    after = _status_changes().filter(at__gte=moment).order_by("at", "id").values("old_value")[:1]
    return Coalesce(Subquery(before), Subquery(after), F("status"), output_field=CharField())


def backlog(period: Period, scope: Scope = EVERYONE) -> list[tuple[int, float]]:
    """(ticket id, age in hours) at the end of the period, of the tickets open then."""
    end = period.end
    created = (
        _tickets(scope)
        .filter(created_at__lt=end)
        .annotate(status_then=status_at(end))
        .exclude(status_then__in=SOLVED)
        .values_list("id", "created_at")
        .order_by("id")
    )
    return [(pk, (end - c).total_seconds() / 3600) for pk, c in created]


MEASURES = {
    "created": "Tickets created",
    "answered": "Tickets created and answered (first response)",
    "solved": "Tickets first solved",
    "fcr": "Solved at first contact",
    "reopened": "Solved, then reopened",
    "backlog": "Open at the end of the period",
}


def tickets_behind(period: Period, scope: Scope, measure: str) -> list[int]:
    """The ids of the tickets a figure counts (the drill-down of a dashboard)."""
    if measure == "created":
        return [t.id for t in created_tickets(period, scope)]
    if measure == "answered":
        return [t.id for t in created_tickets(period, scope) if t.first_response_at is not None]
    if measure in ("solved", "fcr", "reopened"):
        solved = solved_tickets(period, scope)
        if measure == "fcr":
            return [t.id for t in solved if t.agent_replies_before_solved == 1 and not t.reopened]
        if measure == "reopened":
            return [t.id for t in solved if t.reopened]
        return [t.id for t in solved]
    if measure == "backlog":
        return [pk for pk, _ in backlog(period, scope)]
    raise ValidationFailed("invalid_measure", f"Unknown measure {measure!r}.", field="measure")


def purchases_before(end: dt.datetime) -> list[Purchase]:
    rows = PurchaseRow.objects.filter(purchased_at__lt=end).values_list(
        "customer_id", "purchased_at", "amount", "currency"
    )
    return [Purchase(c, at, float(amount), currency) for c, at, amount, currency in rows]
