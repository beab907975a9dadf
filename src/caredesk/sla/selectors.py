"""Read SLA clocks for screens: the state of each target and the next thing due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.timesince import timeuntil

from caredesk.sla.models import TARGETS, TicketSla
from caredesk.tickets.clocks import Clock

LABELS = {
    "first_response": "First response",
    "next_response": "Next response",
    "resolution": "Resolution",
}


def _clock(sla: TicketSla, target: str, now: dt.datetime) -> Clock | None:
    due = getattr(sla, f"{target}_due")
    met = getattr(sla, f"{target}_met")
    breached = getattr(sla, f"{target}_breached")
    warn = getattr(sla, f"{target}_warn")
    if due is None and met is None:
        return None
    label = LABELS[target]
    if met is not None and (breached is None and (due is None or met <= due)):
        return Clock(target, label, due, "met", "met")
    if breached is not None or (due is not None and due <= now):
        when = breached or due
        return Clock(target, label, due, "breached", f"breached {timeuntil(now, when)} ago")
    if target == "resolution" and sla.paused_since is not None:
        return Clock(target, label, due, "paused", "paused while pending")
    state = "warning" if warn is not None and warn <= now else "running"
    return Clock(target, label, due, state, f"due in {timeuntil(due, now)}")


def sla_clocks(*, ticket_id: int, now: dt.datetime | None = None) -> list[Clock]:
    """Every target of the ticket's SLA, for the ticket page (one query)."""
    sla = TicketSla.objects.filter(ticket_id=ticket_id).first()
    if sla is None:
        return []
    now = now or timezone.now()
    return [c for t in TARGETS if (c := _clock(sla, t, now)) is not None]


def sla_next(*, ticket_ids: Iterable[int], now: dt.datetime | None = None) -> dict[int, Clock]:
    """For each ticket the most urgent open clock (breached first, then the nearest due),
    for a list page (one query for the page)."""
    now = now or timezone.now()
    out: dict[int, Clock] = {}
    for sla in TicketSla.objects.filter(ticket_id__in=list(ticket_ids)):
        clocks = [c for t in TARGETS if (c := _clock(sla, t, now)) and c.state != "met"]
        if clocks:
            far = dt.datetime.max.replace(tzinfo=dt.UTC)
            out[sla.ticket_id] = min(clocks, key=lambda c: (c.state != "breached", c.due or far))
    return out
