"""Tables for export: tickets, customers and survey responses, as header and rows
(written as CSV or XLSX by core.exports, which neutralises formulas). Rows are read in
chunks, so a large export does not hold every model in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from django.utils import timezone

from caredesk.analytics.kpis import Period
from caredesk.analytics.selectors import EVERYONE, Scope
from caredesk.customers.lifecycle import lifecycle_of
from caredesk.customers.models import Customer
from caredesk.customers.selectors import customer_emails
from caredesk.customers.services import crm_settings_get
from caredesk.surveys.models import SurveyResponse
from caredesk.tickets.models import Ticket

CHUNK = 2000
TABLES = ("tickets", "customers", "surveys")

TICKET_HEADER = ["id", "created_at", "subject", "status", "priority", "type", "channel",
                 "requester", "requester_email", "organization", "team", "assignee",
                 "first_response_at", "solved_at", "closed_at", "tags"]  # fmt: skip
CUSTOMER_HEADER = ["id", "name", "email", "organization", "lifecycle", "purchases",
                   "lifetime_value", "last_purchase_at", "created_at"]  # fmt: skip
SURVEY_HEADER = ["id", "survey", "score", "comment", "responded_at", "customer",
                 "customer_email", "ticket"]  # fmt: skip


def _chunks(ids: Iterator[int]) -> Iterator[list[int]]:
    while chunk := list(islice(ids, CHUNK)):
        yield chunk


def table(
    what: str, *, period: Period | None = None, scope: Scope = EVERYONE
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """(header, rows) of an export; ``period`` limits tickets and customers to those
    created in it, and responses to those given in it."""
    if what == "tickets":
        return TICKET_HEADER, _tickets(period, scope)
    if what == "customers":
        return CUSTOMER_HEADER, _customers(period)
    if what == "surveys":
        return SURVEY_HEADER, _responses(period, scope)
    raise ValueError(f"Unknown table {what!r}; one of {', '.join(TABLES)}.")


def _tickets(period: Period | None, scope: Scope) -> Iterator[Sequence[Any]]:
    qs = Ticket.objects.filter(merged_into__isnull=True, **scope.on_tickets())
    if period is not None:
        qs = qs.filter(created_at__gte=period.start, created_at__lt=period.end)
    ids = qs.order_by("id").values_list("id", flat=True).iterator(chunk_size=CHUNK)
    for chunk in _chunks(ids):
        rows = (
            Ticket.objects.filter(pk__in=chunk)
            .select_related("requester", "organization", "team", "assignee")
            .prefetch_related("tags")
            .order_by("id")
        )
        emails = customer_emails(customer_ids={t.requester_id for t in rows})
        for t in rows:
            yield [
                t.pk, t.created_at, t.subject, t.status, t.priority, t.type, t.channel,
                t.requester.name, emails.get(t.requester_id, ""),
                t.organization.name if t.organization else "",
                t.team.name if t.team else "",
                t.assignee.display_name if t.assignee else "",
                t.first_response_at, t.solved_at, t.closed_at,
                ", ".join(tag.name for tag in t.tags.all()),
            ]  # fmt: skip


def _customers(period: Period | None) -> Iterator[Sequence[Any]]:
    window = crm_settings_get().recency_window_days
    now = timezone.now()
    qs = Customer.objects.all()
    if period is not None:
        qs = qs.filter(created_at__gte=period.start, created_at__lt=period.end)
    ids = qs.order_by("id").values_list("id", flat=True).iterator(chunk_size=CHUNK)
    for chunk in _chunks(ids):
        rows = Customer.objects.filter(pk__in=chunk).select_related("organization").order_by("id")
        emails = customer_emails(customer_ids=chunk)
        for c in rows:
            yield [
                c.pk, c.name, emails.get(c.pk, ""),
                c.organization.name if c.organization else "",
                lifecycle_of(last_purchase_at=c.last_purchase_at, now=now, window_days=window),
                c.purchase_count, c.lifetime_value, c.last_purchase_at, c.created_at,
            ]  # fmt: skip


def _responses(period: Period | None, scope: Scope) -> Iterator[Sequence[Any]]:
    qs = SurveyResponse.objects.filter(**scope.on_tickets("ticket__"))
    if period is not None:
        qs = qs.filter(responded_at__gte=period.start, responded_at__lt=period.end)
    ids = qs.order_by("id").values_list("id", flat=True).iterator(chunk_size=CHUNK)
    for chunk in _chunks(ids):
        rows = SurveyResponse.objects.filter(pk__in=chunk).select_related("customer").order_by("id")
        emails = customer_emails(customer_ids={r.customer_id for r in rows})
        for r in rows:
            yield [r.pk, r.kind, r.score, r.comment, r.responded_at, r.customer.name,
                   emails.get(r.customer_id, ""), r.ticket_id]  # fmt: skip
