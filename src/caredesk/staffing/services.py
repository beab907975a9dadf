"""Record call-centre events from a telephony or chat system."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import ValidationFailed
from caredesk.customers.models import ContactPoint
from caredesk.customers.services import contact_normalize
from caredesk.staffing.errors import StaffingErrorCode
from caredesk.staffing.models import CallEvent, CallEventKind, CallQueue, CallRecord
from caredesk.tickets.enums import EventKind
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import event_record

# Which CallRecord column each event sets.
EVENT_FIELDS = {
    CallEventKind.QUEUED: "queued_at",
    CallEventKind.ANSWERED: "answered_at",
    CallEventKind.ABANDONED: "abandoned_at",
    CallEventKind.ENDED: "ended_at",
}


@dataclass(frozen=True)
class CallEventData:
    kind: str
    call_id: str
    queue: str
    at: dt.datetime
    phone: str = ""
    agent_email: str = ""
    ticket_id: int | None = None
    customer_id: int | None = None  # known to the caller (a chat's visitor), not by phone


@dataclass(frozen=True)
class Recorded:
    record: CallRecord
    created: bool  # False when this (call id, event) had been received before


def _customer_id_for(phone: str) -> int | None:
    try:
        value = contact_normalize(kind="phone", value=phone)
    except ValidationFailed:
        return None
    return (
        ContactPoint.objects.filter(kind="phone", value=value)
        .values_list("customer_id", flat=True)
        .first()
    )


def call_event_record(*, data: CallEventData) -> Recorded:
    """Store the event once per (call id, kind) and fold it into the call's record: its
    times, the customer matched by phone number, the agent, the ticket it refers to.
    A repeated event changes nothing and says so."""
    if data.kind not in CallEventKind.values:
        raise ValidationFailed(
            StaffingErrorCode.INVALID_EVENT,
            _("event must be one of %(choices)s.") % {"choices": ", ".join(CallEventKind.values)},
            field="event",
        )
    call_id, queue_name = data.call_id.strip(), data.queue.strip()
    if not call_id or not queue_name:
        raise ValidationFailed(
            StaffingErrorCode.INVALID_EVENT, _("call_id and queue are required.")
        )
    if timezone.is_naive(data.at):
        raise ValidationFailed(
            StaffingErrorCode.INVALID_EVENT, _("The time needs a time zone."), field="at"
        )
    try:
        with transaction.atomic():
            CallEvent.objects.create(
                call_id=call_id, kind=data.kind, at=data.at, payload=_payload(data)
            )
            return Recorded(record=_fold(data, call_id, queue_name), created=True)
    except IntegrityError:
        record = CallRecord.objects.filter(call_id=call_id).first()
        if record is None:  # pragma: no cover  # the event exists, so does its record
            raise
        return Recorded(record=record, created=False)


def _payload(data: CallEventData) -> dict[str, object]:
    return {
        "queue": data.queue,
        "phone": data.phone,
        "agent_email": data.agent_email,
        "ticket_id": data.ticket_id,
    }


def _fold(data: CallEventData, call_id: str, queue_name: str) -> CallRecord:
    queue, _ = CallQueue.objects.get_or_create(name=queue_name)
    record, _ = CallRecord.objects.select_for_update().get_or_create(
        call_id=call_id, defaults={"queue": queue}
    )
    setattr(record, EVENT_FIELDS[CallEventKind(data.kind)], data.at)
    if data.phone and not record.phone:
        record.phone = data.phone[:40]
        record.customer_id = _customer_id_for(data.phone)
    if data.customer_id and record.customer_id is None:
        record.customer_id = data.customer_id
    if data.agent_email and record.agent_id is None:
        record.agent = User.objects.filter(email__iexact=data.agent_email.strip()).first()
    linked_now = False
    if data.ticket_id and record.ticket_id is None:
        ticket = Ticket.objects.filter(pk=data.ticket_id).first()
        if ticket is not None:
            record.ticket = ticket
            linked_now = True
    record.save()
    if linked_now:
        event_record(
            ticket=record.ticket,
            actor=record.agent,
            kind=EventKind.CALL,
            field="call",
            new=call_id,
            at=data.at,
        )
    return record
