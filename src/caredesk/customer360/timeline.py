"""One timeline per customer: every interaction on every channel, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import ValidationFailed
from caredesk.core.pagination import cursor_encode, cursor_invalid, cursor_values
from caredesk.customer360.errors import TimelineErrorCode
from caredesk.customers.models import Customer, CustomerNote, Purchase
from caredesk.staffing.models import CallRecord
from caredesk.surveys.models import SurveyResponse
from caredesk.tickets.models import Message, Ticket

MAX_LIMIT = 200


@dataclass
class TimelineItem:
    at: dt.datetime
    kind: str
    id: int
    summary: str
    ticket_id: int | None = None
    channel: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    next_cursor: str | None


def _after(kind: str, cursor: tuple[dt.datetime, str, int] | None, at: str = "created_at") -> Q:
    """Rows strictly after the cursor in the order (at desc, kind desc, id desc)."""
    if cursor is None:
        return Q()
    c_at, c_kind, c_id = cursor
    if kind < c_kind:
        return Q(**{f"{at}__lte": c_at})
    if kind > c_kind:
        return Q(**{f"{at}__lt": c_at})
    return Q(**{f"{at}__lt": c_at}) | Q(**{at: c_at, "id__lt": c_id})


def _decode(cursor: str | None) -> tuple[dt.datetime, str, int] | None:
    if not cursor:
        return None
    try:
        at, kind, ident = cursor_values(cursor, 3)
        return dt.datetime.fromisoformat(at), str(kind), int(ident)
    except (ValueError, TypeError):
        raise cursor_invalid() from None


def _take(
    qs: QuerySet[Any],
    kind: str,
    cursor: tuple[dt.datetime, str, int] | None,
    n: int,
    at: str = "created_at",
) -> list[Any]:
    return list(qs.filter(_after(kind, cursor, at)).order_by(f"-{at}", "-id")[:n])


def customer_timeline(
    *, user: User, customer: Customer, cursor: str | None = None, limit: int = 50
) -> TimelinePage:
    """Tickets opened, messages both ways, calls and chats, purchases, survey answers and
    (for staff) notes and internal notes, newest first. One query per source."""
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed(
            TimelineErrorCode.INVALID_LIMIT,
            _("limit must be between 1 and %(MAX_LIMIT)s.") % {"MAX_LIMIT": MAX_LIMIT},
            field="limit",
        )
    position = _decode(cursor)
    staff = user.is_staff_member
    n = limit + 1
    items: list[TimelineItem] = []
    # A list, not a subquery: with "ticket IN (subquery) OR author = x" PostgreSQL scans
    # every message; with literal ids it combines the two indexes (BitmapOr).
    ticket_ids = list(Ticket.objects.filter(requester=customer).values_list("id", flat=True))
    for t in _take(Ticket.objects.filter(requester=customer), "ticket", position, n):
        items.append(
            TimelineItem(
                t.created_at,
                "ticket",
                t.pk,
                _("Opened: %(subject)s") % {"subject": t.subject},
                ticket_id=t.pk,
                channel=t.channel,
                data={"status": t.status, "type": t.type},
            )
        )
    messages = Message.objects.filter(Q(ticket_id__in=ticket_ids) | Q(author_customer=customer))
    if not staff:
        messages = messages.filter(is_public=True)
    for m in _take(messages.select_related("ticket"), "message", position, n):
        items.append(
            TimelineItem(
                m.created_at,
                "message",
                m.pk,
                m.text[:280],
                ticket_id=m.ticket_id,
                channel=m.channel,
                data={"from": m.author_role, "public": m.is_public, "subject": m.ticket.subject},
            )
        )
    for p in _take(
        Purchase.objects.filter(customer=customer), "purchase", position, n, at="purchased_at"
    ):
        items.append(
            TimelineItem(
                p.purchased_at,
                "purchase",
                p.pk,
                _("Bought %(product)s for %(amount)s %(currency)s")
                % {"product": p.product, "amount": number_format(p.amount), "currency": p.currency},
                data={"amount": str(p.amount), "currency": p.currency},
            )
        )
    for s in _take(
        SurveyResponse.objects.filter(customer=customer), "survey", position, n, at="responded_at"
    ):
        items.append(
            TimelineItem(
                s.responded_at,
                "survey",
                s.pk,
                _("%(survey)s score %(score)s") % {"survey": s.kind.upper(), "score": s.score},
                ticket_id=s.ticket_id,
                data={"survey": s.kind, "score": s.score},
            )
        )

    calls = CallRecord.objects.filter(customer=customer, queued_at__isnull=False)
    for c in _take(calls.select_related("queue"), "call", position, n, at="queued_at"):
        outcome = "answered" if c.answered_at else ("abandoned" if c.abandoned_at else "waiting")
        shown = {"answered": _("answered"), "abandoned": _("abandoned"), "waiting": _("waiting")}
        items.append(
            TimelineItem(
                c.queued_at,
                "call",
                c.pk,
                _("Call to %(queue)s: %(outcome)s")
                % {"queue": c.queue.name, "outcome": shown[outcome]},
                ticket_id=c.ticket_id,
                channel=c.queue.channel,
                data={
                    "outcome": outcome,
                    "wait_seconds": c.wait_seconds,
                    "talk_seconds": c.talk_seconds,
                },
            )
        )
    if staff:
        for note in _take(CustomerNote.objects.filter(customer=customer), "note", position, n):
            items.append(TimelineItem(note.created_at, "note", note.pk, note.text[:280]))
    items.sort(key=lambda i: (i.at, i.kind, i.id), reverse=True)
    next_cursor = None
    if len(items) > limit:
        last = items[limit - 1]
        next_cursor = cursor_encode([last.at, last.kind, last.id])
    return TimelinePage(items=items[:limit], next_cursor=next_cursor)
