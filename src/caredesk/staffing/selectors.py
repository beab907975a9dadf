"""Read queues and their statistics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from caredesk.core.errors import NotFound, ValidationFailed
from caredesk.staffing.errors import StaffingErrorCode
from caredesk.staffing.intervals import CallTimes, IntervalStats, interval_starts, interval_stats
from caredesk.staffing.models import CallQueue, CallRecord
from caredesk.tickets.models import Ticket

INTERVALS = (15, 30, 60)


def queue_list() -> QuerySet[CallQueue]:
    return CallQueue.objects.order_by("name")


def queue_get(*, queue_id: int) -> CallQueue:
    queue = CallQueue.objects.filter(pk=queue_id).first()
    if queue is None:
        raise NotFound("queue", queue_id)
    return queue


def queue_intervals(
    *, queue: CallQueue, start: dt.datetime, end: dt.datetime, interval_minutes: int
) -> list[IntervalStats]:
    """Volume, AHT, ASA, service level and abandonment per interval (one query)."""
    if interval_minutes not in INTERVALS:
        raise ValidationFailed(
            StaffingErrorCode.INVALID_INTERVAL,
            _("interval_minutes must be 15, 30 or 60."),
            field="interval_minutes",
        )
    rows = CallRecord.objects.filter(
        queue=queue, queued_at__gte=start, queued_at__lt=end
    ).values_list("queued_at", "answered_at", "abandoned_at", "ended_at")
    calls = [CallTimes(q, a, b, e) for q, a, b, e in rows if q is not None]
    return interval_stats(
        calls,
        start=start,
        end=end,
        interval_minutes=interval_minutes,
        target_seconds=queue.target_seconds,
    )


@dataclass(frozen=True)
class TicketInterval:
    start: dt.datetime
    created: int
    first_response_minutes: float | None  # mean, of those already answered


def ticket_intervals(
    *, channel: str | None, start: dt.datetime, end: dt.datetime, interval_minutes: int
) -> list[TicketInterval]:
    """Tickets created per interval (by channel, or all), with their mean time to the
    first agent response: the volume side of non-phone channels (one query)."""

    if interval_minutes not in INTERVALS:
        raise ValidationFailed(
            StaffingErrorCode.INVALID_INTERVAL,
            _("interval_minutes must be 15, 30 or 60."),
            field="interval_minutes",
        )
    qs = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    if channel:
        qs = qs.filter(channel=channel)
    starts = interval_starts(start, end, interval_minutes)
    created = [0] * len(starts)
    waited = [0.0] * len(starts)
    answered = [0] * len(starts)
    width = interval_minutes * 60
    for made, first in qs.values_list("created_at", "first_response_at"):
        i = int((made - start).total_seconds() // width)
        created[i] += 1
        if first is not None:
            waited[i] += max(0.0, (first - made).total_seconds() / 60)
            answered[i] += 1
    return [
        TicketInterval(s, created[i], waited[i] / answered[i] if answered[i] else None)
        for i, s in enumerate(starts)
    ]
