"""Commitments: promises to the customer, later marked kept or broken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from caredesk.tickets.enums import CommitmentStatus, EventKind
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Commitment, Ticket
from caredesk.tickets.services.events import event_record, event_row, events_record


@transaction.atomic
def commitment_create(
    *,
    ticket: Ticket,
    actor: User,
    description: str,
    due_at: dt.datetime,
    created_at: dt.datetime | None = None,
) -> Commitment:
    """Record a promise with its due time (timezone-aware)."""
    if not actor.is_staff_member:
        raise PermissionDenied(_("Only agents make commitments."))
    description = " ".join((description or "").split())
    if not description or len(description) > 500:
        raise ValidationFailed(
            TicketErrorCode.INVALID_DESCRIPTION,
            _("Describe the promise in 1-500 characters."),
            field="description",
        )
    if timezone.is_naive(due_at):
        raise ValidationFailed(
            TicketErrorCode.INVALID_DUE, _("due_at needs a time zone."), field="due_at"
        )
    now = created_at or timezone.now()
    commitment = Commitment.objects.create(
        ticket=ticket,
        made_by=actor,
        description=description,
        due_at=due_at,
        created_at=now,
        updated_at=now,
    )
    event_record(
        ticket=ticket,
        actor=actor,
        kind=EventKind.COMMITMENT,
        field="commitment",
        new=f"{description} (due {due_at.isoformat()})",
        at=now,
    )
    return commitment


@transaction.atomic
def commitment_resolve(*, commitment: Commitment, actor: User, status: str) -> Commitment:
    """Mark a pending commitment kept or broken."""
    if not actor.is_staff_member:
        raise PermissionDenied(_("Only agents resolve commitments."))
    if status not in (CommitmentStatus.KEPT, CommitmentStatus.BROKEN):
        raise ValidationFailed(
            TicketErrorCode.INVALID_STATUS, _("status must be kept or broken."), field="status"
        )
    if commitment.status != CommitmentStatus.PENDING:
        raise Conflict(
            TicketErrorCode.COMMITMENT_RESOLVED,
            _("This commitment was already marked %(status)s.") % {"status": commitment.status},
        )
    now = timezone.now()
    commitment.status = status
    commitment.resolved_at = now
    commitment.resolved_by = actor
    commitment.save(update_fields=["status", "resolved_at", "resolved_by"])
    event_record(
        ticket=commitment.ticket,
        actor=actor,
        kind=EventKind.COMMITMENT,
        field="commitment",
        old=CommitmentStatus.PENDING,
        new=status,
        at=now,
    )
    return commitment


REMIND_BEFORE = dt.timedelta(minutes=30)


def commitment_reminders(
    *, now: dt.datetime | None = None, lead: dt.timedelta = REMIND_BEFORE
) -> list[Commitment]:
    """The pending commitments due within ``lead`` (or already overdue) that were not yet
    reminded about: each is marked reminded once (a ticket event records it) and returned
    for notification."""
    now = now or timezone.now()
    due = Commitment.objects.filter(
        status=CommitmentStatus.PENDING, reminded_at__isnull=True, due_at__lte=now + lead
    )
    picked = list(due.select_related("ticket", "made_by").order_by("due_at", "id"))
    reminded = []
    for commitment in picked:
        if Commitment.objects.filter(pk=commitment.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            commitment.reminded_at = now
            reminded.append(commitment)
    events_record(
        [
            event_row(
                ticket=c.ticket,
                actor=None,
                kind=EventKind.COMMITMENT,
                field="commitment_reminder",
                new=f"{c.description} (due {c.due_at.isoformat()})",
                at=now,
            )
            for c in reminded
        ]
    )
    return reminded


@dataclass(frozen=True)
class CommitmentStats:
    due: int  # commitments due in the period whose outcome is known or overdue
    kept: int
    broken: int
    overdue: int  # still pending after their due time

    @property
    def kept_rate(self) -> float | None:
        return round(self.kept / self.due, 4) if self.due else None


def commitment_stats(
    *, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> CommitmentStats:
    """Of the commitments due in [start, end): kept, broken, and still pending past their
    due time (a promise nobody marked kept by then counts against the rate)."""
    now = now or timezone.now()
    rows = Commitment.objects.filter(due_at__gte=start, due_at__lt=end)
    kept = rows.filter(status=CommitmentStatus.KEPT).count()
    broken = rows.filter(status=CommitmentStatus.BROKEN).count()
    overdue = rows.filter(status=CommitmentStatus.PENDING, due_at__lt=now).count()
    return CommitmentStats(kept + broken + overdue, kept, broken, overdue)
