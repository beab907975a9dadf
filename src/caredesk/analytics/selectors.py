"""The facts the KPIs are computed from, read from the tickets (with the reporting facts
they keep, tickets.services.facts), their history, survey responses, SLA clocks and
purchases: the raw definitions, straight from the records. The daily rollups
(analytics.rollups) store the same tallies per day.

A ticket's status at a moment is the new status of its last status change before that
moment; before its first change, the old status of that change; a ticket with no
recorded change (imported without history) has its current status throughout.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from caredesk.analytics.errors import AnalyticsErrorCode
from caredesk.analytics.kpis import (
    SOLVED_STATUSES,
    ChatTimes,
    CreatedTicket,
    Distribution,
    NthValue,
    Period,
    SlaClock,
    SolvedTicket,
    Tally,
    bucket_bounds,
    distribution,
    sla_tally,
)
from caredesk.analytics.sla_compliance import sla_clocks_by_ticket
from caredesk.chat.enums import ConversationStatus
from caredesk.chat.models import Conversation
from caredesk.core.errors import ValidationFailed
from caredesk.core.periods import report_period
from caredesk.customers.models import Purchase as PurchaseRow
from caredesk.surveys.models import DeliveryStatus, SurveyInvitation, SurveyResponse
from caredesk.tickets.enums import OPEN_STATUSES, AuthorRole, Channel, EventKind
from caredesk.tickets.models import Message, Ticket, TicketEvent

MAX_REPORT_DAYS = 3 * 366 + 1
SOLVED = sorted(SOLVED_STATUSES)
SOLVED_FIELDS = ("id", "created_at", "first_solved_at", "replies", "was_reopened",
                 "assignee__first_name", "assignee__last_name", "assignee__email",
                 "resolution_us")  # fmt: skip
OPEN = sorted(OPEN_STATUSES)


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


def _tickets(scope: Scope = EVERYONE) -> QuerySet[Ticket]:
    """Tickets that count: a ticket merged into another lives on in that one."""
    return Ticket.objects.filter(merged_into__isnull=True, **scope.on_tickets())


def _between(start: dt.datetime, end: dt.datetime, field: str = "created_at") -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


CREATED = ("id", "created_at", "channel", "type", "team__name", "requester_id",
           "first_response_at", "first_response_us", "first_response_business_us")  # fmt: skip


def created_rows(tickets: QuerySet[Ticket]) -> list[tuple[int | None, CreatedTicket]]:
    """(team id, ticket) for each of ``tickets``."""
    rows = tickets.values_list("team_id", *CREATED).order_by("id")
    return [(team, CreatedTicket(*row)) for team, *row in rows]


def created_tickets(period: Period, scope: Scope = EVERYONE) -> list[CreatedTicket]:
    tickets = _tickets(scope).filter(_between(period.start, period.end))
    return [t for _, t in created_rows(tickets)]


def solved_rows(tickets: QuerySet[Ticket]) -> list[tuple[int | None, str, SolvedTicket]]:
    """(team id, channel, ticket) for each of ``tickets`` (first solved): with the public agent
    messages up to the first solve, and whether it was ever reopened."""
    agent_replies = (
        Message.objects.filter(
            ticket=OuterRef("pk"),
            is_public=True,
            author_role=AuthorRole.AGENT,
            created_at__lte=OuterRef("first_solved_at"),
        )
        .order_by()
        .values("ticket")
        .annotate(n=Count("id"))
        .values("n")
    )
    reopened = _status_changes().filter(old_value__in=SOLVED).exclude(new_value__in=SOLVED)
    rows = (
        tickets.annotate(
            replies=Coalesce(Subquery(agent_replies), 0),
            was_reopened=Exists(reopened),
        )
        .values_list("team_id", "channel", *SOLVED_FIELDS)
        .order_by("id")
    )
    return [
        (team, chan, SolvedTicket(pk, made, done, replies, again, _name(first, last, email), us))
        for team, chan, pk, made, done, replies, again, first, last, email, us in rows
    ]


def solved_tickets(period: Period, scope: Scope = EVERYONE) -> list[SolvedTicket]:
    tickets = _tickets(scope).filter(_between(period.start, period.end, "first_solved_at"))
    return [t for _, _, t in solved_rows(tickets)]


def solved_per_day(period: Period, scope: Scope, *, since: dt.date) -> Counter[dt.date]:
    """Tickets first solved per day of the period from ``since`` on."""
    zone = zoneinfo.ZoneInfo(period.tz)
    start = max(period.start, dt.datetime.combine(since, dt.time(), tzinfo=zone))
    rows = (
        _tickets(scope)
        .filter(_between(start, period.end, "first_solved_at"))
        .annotate(day=TruncDate("first_solved_at", tzinfo=zone))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter(dict(rows))


def _status_changes() -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(
        ticket=OuterRef("pk"), kind=EventKind.CHANGED, field="status"
    ).order_by()


def _name(first: str | None, last: str | None, email: str | None) -> str | None:
    full = f"{first or ''} {last or ''}".strip()
    return full or email or None


def window_tally(start: dt.datetime, end: dt.datetime, scope: Scope = EVERYONE) -> Tally:
    """The tally of [start, end) for a scope, straight from the records (the raw
    definitions; the daily rollups store the same per day)."""
    return window_tallies(start, end, scope, lambda team, channel: [""])[""]


KeysOf = Callable[[int | None, str | None], list[str]]  # (team id, channel) -> keys


def window_tallies(start: dt.datetime, end: dt.datetime, scope: Scope, keys_of: KeysOf
                   ) -> dict[str, Tally]:  # fmt: skip
    """The tallies of [start, end) for a scope, straight from the records, split by key:
    each ticket, answer, invitation and SLA clock counts under every key ``keys_of``
    gives for its ticket's team and channel ("" always has a tally)."""
    tallies: defaultdict[str, Tally] = defaultdict(Tally)
    tallies[""] = Tally()
    tickets = scope.on_tickets("ticket__")
    for team, made in created_rows(_tickets(scope).filter(_between(start, end))):
        for key in keys_of(team, made.channel):
            tallies[key].add_created(made)
    solved = _tickets(scope).filter(_between(start, end, "first_solved_at"))
    for team, channel, done in solved_rows(solved):
        for key in keys_of(team, channel):
            tallies[key].add_solved(done)
    for s_team, s_channel, kind, score, n in score_rows(start, end, tickets):
        for key in keys_of(s_team, s_channel):
            tallies[key].scores.setdefault(kind, Counter())[score] += n
    for i_team, i_channel, kind, sent, answered in invitation_rows(start, end, tickets):
        for key in keys_of(i_team, i_channel):
            tallies[key].add_invitations(kind, sent, answered)
    clocks: defaultdict[str, list[SlaClock]] = defaultdict(list)
    for c_team, c_channel, clock in sla_rows(start, end, tickets):
        for key in keys_of(c_team, c_channel):
            clocks[key].append(clock)
    for key, found in clocks.items():
        tallies[key].add_sla(sla_tally(found, start=start, end=end))
    return dict(tallies)


def score_rows(
    start: dt.datetime, end: dt.datetime, tickets: dict[str, object]
) -> list[tuple[int | None, str | None, str, int, int]]:
    """(team id, channel, kind, score, how many) of the survey answers given in
    [start, end); team and channel are the ticket's (None for a relational survey)."""
    rows = (
        SurveyResponse.objects.filter(_between(start, end, "responded_at"), **tickets)
        .values_list("ticket__team_id", "ticket__channel", "kind", "score")
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(rows)


def invitation_rows(
    start: dt.datetime, end: dt.datetime, tickets: dict[str, object]
) -> list[tuple[int | None, str | None, str, int, int]]:
    """(team id, channel, kind, sent, answered) of the surveys sent in [start, end)
    (by email or in the portal; failed deliveries left out)."""
    rows = (
        SurveyInvitation.objects.filter(_between(start, end), **tickets)
        .exclude(status=DeliveryStatus.FAILED)
        .values_list("ticket__team_id", "ticket__channel", "kind")
        .annotate(sent=Count("id"), answered=Count("response"))
        .order_by()
    )
    return list(rows)


def sla_rows(
    start: dt.datetime, end: dt.datetime, tickets: dict[str, object]
) -> list[tuple[int | None, str, SlaClock]]:
    return sla_clocks_by_ticket(start=start, end=end, tickets=tickets)


def survey_scores(period: Period, kind: str, scope: Scope = EVERYONE) -> Counter[int]:
    """How many gave each score in the period (for a scope: about its tickets)."""
    scores: Counter[int] = Counter()
    for _team, _channel, _kind, score, n in score_rows(
        period.start, period.end, {"kind": kind, **scope.on_tickets("ticket__")}
    ):
        scores[score] += n
    return scores


LOOKUP_FIELDS = {
    "first_response": ("first_response_us", "created_at"),
    "first_response_business": ("first_response_business_us", "created_at"),
    "resolution": ("resolution_us", "first_solved_at"),
}


def lookups(period: Period, scope: Scope = EVERYONE) -> dict[str, NthValue]:
    """For each duration, the k-th smallest value in a bucket among the period's
    tickets: the exact median of a rolled-up distribution (kpis.Hist)."""

    def lookup(value: str, when: str) -> NthValue:
        def nth(bucket: int, k: int) -> int:
            low, high = bucket_bounds(bucket)
            rows = _tickets(scope).filter(_between(period.start, period.end, when))
            if low is not None:
                rows = rows.filter(**{f"{value}__gte": low})
            if high is not None:
                rows = rows.filter(**{f"{value}__lt": high})
            else:
                rows = rows.filter(**{f"{value}__isnull": False})
            found = rows.order_by(value).values_list(value, flat=True)[k : k + 1]
            return int(found[0])

        return nth

    return {name: lookup(value, when) for name, (value, when) in LOOKUP_FIELDS.items()}


def status_at(moment: dt.datetime) -> Coalesce:
    """The ticket's status at ``moment``, as an annotation (see the module's docstring)."""
    before = _status_changes().filter(at__lt=moment).order_by("-at", "-id").values("new_value")[:1]
    after = _status_changes().filter(at__gte=moment).order_by("at", "id").values("old_value")[:1]
    return Coalesce(Subquery(before), Subquery(after), F("status"), output_field=CharField())


def open_at(moment: dt.datetime, scope: Scope = EVERYONE) -> list[QuerySet[Ticket]]:
    """The tickets created before ``moment`` and neither solved nor closed then, in two
    parts: a ticket whose status last changed before the moment had its status of now
    then; only the others are looked up in the history."""
    return [_open_now_and_then(moment, scope), _open_then_changed_since(moment, scope)]


def _open_now_and_then(moment: dt.datetime, scope: Scope) -> QuerySet[Ticket]:
    return (
        _tickets(scope)
        .filter(created_at__lt=moment, status__in=OPEN)
        .filter(Q(status_changed_at__lt=moment) | Q(status_changed_at__isnull=True))
        .order_by()
    )


def _open_then_changed_since(moment: dt.datetime, scope: Scope) -> QuerySet[Ticket]:
    return (
        _tickets(scope)
        .filter(created_at__lt=moment, status_changed_at__gte=moment)
        .annotate(status_then=status_at(moment))
        .exclude(status_then__in=SOLVED)
        .order_by()
    )


def backlog_ages(moment: dt.datetime, scope: Scope = EVERYONE) -> Distribution:
    """How many tickets were open at ``moment`` and how old they were then (hours)."""
    if connection.vendor == "postgresql":
        return _backlog_ages_in_sql(moment, scope)
    created = [
        c for part in open_at(moment, scope) for c in part.values_list("created_at", flat=True)
    ]
    return distribution((moment - c).total_seconds() / 3600 for c in created)


def _backlog_ages_in_sql(moment: dt.datetime, scope: Scope) -> Distribution:
    """backlog_ages with the count, mean and median computed by PostgreSQL (a backlog
    may hold a hundred thousand tickets: too many to read one by one)."""
    parts: list[str] = []
    params: list[Any] = []
    for part in open_at(moment, scope):
        sql, part_params = part.values("created_at").query.sql_with_params()
        parts.append(f"SELECT EXTRACT(EPOCH FROM created_at)::float8 AS e FROM ({sql}) p")  # noqa: S608
        params += part_params
    union = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(  # the parts are the ORM's own SQL; the values are parameters
            f"SELECT count(*), avg(e), percentile_cont(0.5) WITHIN GROUP (ORDER BY e) "  # noqa: S608
            f"FROM ({union}) t",
            params,
        )
        n, mean, median = cursor.fetchone()
    if not n:
        return Distribution(0, None, None)
    end = moment.timestamp()
    return Distribution(n, (end - median) / 3600, (end - mean) / 3600)


def existing_customers(period: Period, window: dt.timedelta) -> tuple[int, int]:
    """Existing customers at the start of the period (a purchase in the lifecycle window
    before it), and how many of them were still existing at its end."""

    def bought(end: dt.datetime) -> QuerySet[PurchaseRow]:
        return PurchaseRow.objects.filter(_between(end - window, end, "purchased_at"))

    at_start = bought(period.start).values("customer_id").distinct()
    still = bought(period.end).filter(customer_id=OuterRef("customer_id"))
    existing = at_start.count()
    retained = at_start.filter(Exists(still)).count()
    return existing, retained


def spent_before(end: dt.datetime) -> dict[str, tuple[float, int]]:
    """Per currency, the sum of purchases before ``end`` and how many customers made them."""
    rows = (
        PurchaseRow.objects.filter(purchased_at__lt=end)
        .values_list("currency")
        .annotate(total=Sum("amount"), customers=Count("customer_id", distinct=True))
        .order_by()
    )
    return {currency: (float(total), customers) for currency, total, customers in rows}


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
        return sorted(
            pk for part in open_at(period.end, scope) for pk in part.values_list("id", flat=True)
        )
    raise ValidationFailed(
        AnalyticsErrorCode.INVALID_MEASURE,
        _("Unknown measure %(measure)s.") % {"measure": repr(measure)},
        field="measure",
    )


def chat_times(period: Period, scope: Scope = EVERYONE) -> list[ChatTimes]:
    """The chats queued for a person in the period (a transfer back to the queue counts
    from its last queueing), for the chat KPIs; a scope's team or agent, and a channel
    scope other than chat, as the ticket figures are filtered."""
    if scope.channel is not None and scope.channel != Channel.CHAT:
        return []
    chats = Conversation.objects.filter(queued_at__gte=period.start, queued_at__lt=period.end)
    if scope.team_id is not None:
        chats = chats.filter(team_id=scope.team_id)
    if scope.assignee_id is not None:
        chats = chats.filter(assignee_id=scope.assignee_id)
    rows = chats.values_list("queued_at", "accepted_at", "first_agent_reply_at", "status")
    return [
        ChatTimes(
            queued_at=queued,
            accepted_at=accepted,
            first_reply_at=replied,
            left_unanswered=accepted is None and status == ConversationStatus.ENDED,
        )
        for queued, accepted, replied, status in rows.iterator(chunk_size=2000)
        if queued is not None  # the filter says so; the type does not
    ]
