"""Commitments: promises to the customer, later marked kept or broken."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from caredesk.accounts.models import User
from caredesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from caredesk.tickets.enums import CommitmentStatus, EventKind
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Commitment, Ticket
from caredesk.tickets.services.events import event_record


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
        raise PermissionDenied("Only agents make commitments.")
    description = " ".join((description or "").split())
    if not description or len(description) > 500:
        raise ValidationFailed(
            "invalid_description", "Describe the promise in 1-500 characters.", field="description"
        )
    if timezone.is_naive(due_at):
        raise ValidationFailed(
            TicketErrorCode.INVALID_DUE, "due_at needs a time zone.", field="due_at"
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
        raise PermissionDenied("Only agents resolve commitments.")
    if status not in (CommitmentStatus.KEPT, CommitmentStatus.BROKEN):
        raise ValidationFailed("invalid_status", "status must be kept or broken.", field="status")
    if commitment.status != CommitmentStatus.PENDING:
        raise Conflict(
            TicketErrorCode.COMMITMENT_RESOLVED,
            f"This commitment was already marked {commitment.status}.",
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
