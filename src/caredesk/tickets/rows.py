"""What one inbox row shows, computed in Python once per page: the template then only
prints strings (Django's template engine costs far more per lookup than Python)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils.timesince import timesince

from caredesk.tickets.clocks import Clock
from caredesk.tickets.enums import Channel, Priority, TicketStatus
from caredesk.tickets.models import Ticket
from caredesk.tickets.selectors import TicketExtras

CHANNEL_ICONS: dict[str, str] = {
    Channel.EMAIL: "✉",
    Channel.PORTAL: "⌂",
    Channel.WEB: "⊕",
    Channel.CHAT: "❝",
    Channel.PHONE: "☎",
    Channel.SOCIAL: "@",
    Channel.WEBHOOK: "⇄",
    Channel.API: "⚙",
}
STATUS_LABELS = dict(TicketStatus.choices)
PRIORITY_LABELS = dict(Priority.choices)
CHANNEL_LABELS = dict(Channel.choices)


@dataclass(frozen=True)
class Row:
    id: int
    url: str
    subject: str
    tags: list[str]
    requester: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    assignee: str
    channel_icon: str
    channel_label: str
    updated_iso: str
    updated_ago: str
    sla_text: str = ""
    sla_state: str = ""


def inbox_rows(
    tickets: Sequence[Ticket],
    extras: TicketExtras,
    now: dt.datetime,
    clocks: Mapping[int, Clock] | None = None,
) -> list[Row]:
    url = reverse("tickets:detail", args=[0])[: -len("0/")]
    clocks = clocks or {}
    return [
        Row(
            id=t.pk,
            url=f"{url}{t.pk}/",
            subject=t.subject,
            tags=extras.tags_of(t),
            requester=t.requester.name or extras.email_of(t.requester_id) or "",
            status=t.status,
            status_label=str(STATUS_LABELS.get(t.status, t.status)),
            priority=t.priority,
            priority_label=str(PRIORITY_LABELS.get(t.priority, t.priority)),
            assignee=t.assignee.display_name if t.assignee else "—",
            channel_icon=CHANNEL_ICONS.get(t.channel, "•"),
            channel_label=str(CHANNEL_LABELS.get(t.channel, t.channel)),
            updated_iso=t.updated_at.isoformat(),
            updated_ago=timesince(t.updated_at, now, depth=1),
            sla_text=f"{clocks[t.pk].label}: {clocks[t.pk].text}" if t.pk in clocks else "",
            sla_state=clocks[t.pk].state if t.pk in clocks else "",
        )
        for t in tickets
    ]
