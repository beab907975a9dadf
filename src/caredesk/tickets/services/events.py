"""Record ticket events and bump the ticket's version (optimistic locking)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import Conflict
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Ticket, TicketEvent

# The automation rule on whose behalf changes are being made, recorded on their events.
_via: ContextVar[str] = ContextVar("caredesk_event_via", default="")


@contextmanager
def events_via(label: str) -> Iterator[None]:
    """Mark every event recorded inside the block as done by ``label`` (a rule)."""
    token = _via.set(label[:150])
    try:
        yield
    finally:
        _via.reset(token)


def event_row(
    *,
    ticket: Ticket,
    actor: User | None,
    kind: str,
    field: str = "",
    old: object = "",
    new: object = "",
    at: dt.datetime | None = None,
) -> TicketEvent:
    """An unsaved event; values are stored as text (lists comma-joined, None empty)."""
    return TicketEvent(
        ticket=ticket,
        actor=actor,
        kind=kind,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        at=at or timezone.now(),
        via=_via.get(),
    )


def events_record(rows: list[TicketEvent]) -> list[TicketEvent]:
    """Write several events of one change in a single INSERT."""
    return TicketEvent.objects.bulk_create(rows)


def event_record(**kwargs: Any) -> TicketEvent:
    """Write one event (arguments as event_row)."""
    return events_record([event_row(**kwargs)])[0]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)[:10_000]


def ticket_save_checked(
    *,
    ticket: Ticket,
    fields: dict[str, Any],
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> None:
    """Write ``fields`` and bump the version, only if nobody changed the ticket since
    ``expected_version`` (or since it was loaded, when no version is given)."""
    version = expected_version if expected_version is not None else ticket.version
    now = at or timezone.now()
    updated = Ticket.objects.filter(pk=ticket.pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=now
    )
    if updated == 0:
        current = Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).first()
        raise Conflict(
            TicketErrorCode.STALE_VERSION,
            _("Someone else changed this ticket since you loaded it; reload and try again."),
            field="version",
            extra={"current_version": current},
        )
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.version = version + 1
    ticket.updated_at = now
