"""A leased outbox: rows written in the transaction of what they announce, sent after it.

Mail to customers (channels), survey invitations (surveys) and webhook deliveries
(automation) are each a table of such rows: a status, a count of attempts, the time the
next attempt is due, the last error. A job tries one row after the commit, and a
periodic job tries whatever is due (first tries whose job was lost, and retries).

One try:
- **claim**: one UPDATE takes a lease on the row (its lease column pushed past the
  send's timeout) and counts the attempt, so two workers never send a row at once and a
  worker that dies mid-send leaves a lease that runs out;
- **send**: the outbox's ``send`` returns a :class:`Delivered` or raises
  :class:`Undeliverable` (never sendable: failed at once, with its reason). Anything else
  it raises is a failed try: the next is scheduled from the backoff table, and the last
  one marks the row failed;
- **finish**: the final status, with the reason of a failure, is written in one
  transaction with the outbox's own bookkeeping (``on_done``), where the failure is
  recorded on the ticket.

A row that can never be sent therefore ends failed with its reason and never blocks the
rows after it: an unexpected error in one send is caught and counted, a row whose
attempts are used up is failed when it next comes due, and the due query reads every
due row whatever came before.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

REASON_LIMIT = 2000


class Undeliverable(Exception):
    """This row can never be sent (nobody to send to, an address refused): failed now."""

    def __init__(self, reason: str, **fields: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fields = fields


class TryFailed(Exception):
    """This try failed but a later one may not (a refused connection, an HTTP 503);
    ``fields`` are written with the retry (the last status code, say)."""

    def __init__(self, reason: str, **fields: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fields = fields


@dataclass(frozen=True)
class Delivered:
    """What a successful send reports: a detail (the Message-ID) and columns to write."""

    detail: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """sent, retry, failed, busy (leased elsewhere; ``wait_seconds`` until the lease runs
    out) or done (nothing to do: already finished, or not due yet)."""

    outcome: str
    detail: str = ""
    wait_seconds: float = 0.0


@dataclass(frozen=True)
class LeasedOutbox(Generic[M]):
    """One outbox table and how its rows are sent; see the module's docstring."""

    model: type[M]
    send: Callable[[M], Delivered]
    pending: str
    sent: str
    failed: str
    backoff: tuple[int, ...]
    # How long a claim holds; a function when it follows a setting read at each try.
    lease_seconds: float | Callable[[], float]
    # The column holding the lease: the next attempt's time itself, or a column of its own.
    lease_field: str = "next_attempt_at"
    # Set to the time of sending when a row is sent.
    sent_at_field: str = "sent_at"
    related: tuple[str, ...] = ()
    # Errors that are part of the job (SMTP refusals, a network down): retried without a
    # traceback in the log; anything else is logged with one and retried the same way.
    expected: tuple[type[BaseException], ...] = (OSError,)
    # Bookkeeping in the transaction of the final status: thread the Message-ID, record a
    # failure on the ticket.
    on_done: Callable[[M, Outcome], None] | None = None

    @property
    def max_attempts(self) -> int:
        return len(self.backoff) + 1

    def due_query(self, now: dt.datetime) -> Q:
        due = Q(status=self.pending) & (
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )
        if self.lease_field != "next_attempt_at":
            due &= Q(**{f"{self.lease_field}__isnull": True}) | Q(
                **{f"{self.lease_field}__lt": now}
            )
        return due

    def due(self, *, now: dt.datetime, limit: int) -> list[int]:
        """Ids of the rows that are due and not leased, oldest first."""
        return list(
            self.model._default_manager.filter(self.due_query(now))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )

    def run_due(self, *, now: dt.datetime | None = None, limit: int = 200) -> int:
        """Try every due row once; returns how many were tried (sent, retried or failed)."""
        now = now or timezone.now()
        tried = (self.attempt(row_id=pk, now=now).outcome for pk in self.due(now=now, limit=limit))
        return sum(outcome in ("sent", "retry", "failed") for outcome in tried)

    def attempt(self, *, row_id: int, now: dt.datetime | None = None) -> Outcome:
        """One try at one row, if it is due and nobody else holds it."""
        now = now or timezone.now()
        rows = self.model._default_manager
        lease = self.lease_seconds() if callable(self.lease_seconds) else self.lease_seconds
        lease_end = now + dt.timedelta(seconds=lease)
        claimed = rows.filter(
            self.due_query(now), pk=row_id, attempts__lt=self.max_attempts
        ).update(**{self.lease_field: lease_end}, attempts=F("attempts") + 1, updated_at=now)
        row = rows.select_related(*self.related).filter(pk=row_id).first()
        if row is None or _column(row, "status") != self.pending:
            return Outcome("done")
        if not claimed:
            return self._not_claimed(row, now)
        try:
            delivered = self.send(row)
        except Undeliverable as exc:
            return self._finish(row, self.failed, exc.reason, exc.fields)
        except TryFailed as exc:
            return self._retry(row, exc.reason, exc.fields)
        except self.expected as exc:
            return self._retry(row, f"{type(exc).__name__}: {exc}", {})
        except Exception as exc:
            logger.exception("Sending %s %s failed unexpectedly", self.model.__name__, row_id)
            return self._retry(row, f"{type(exc).__name__}: {exc}", {})
        return self._finish(row, self.sent, delivered.detail, delivered.fields)

    def _not_claimed(self, row: M, now: dt.datetime) -> Outcome:
        lease: dt.datetime | None = getattr(row, self.lease_field)
        if lease is not None and lease > now:
            # Leased by another worker (or, where the lease is the next attempt's time,
            # waiting for its retry).
            return Outcome("busy", wait_seconds=(lease - now).total_seconds())
        used_up = _column(row, "attempts") >= self.max_attempts
        if used_up and self.model._default_manager.filter(self.due_query(now), pk=row.pk).exists():
            # Due again with its tries used up: the last one never finished (the sender
            # stopped mid-send), so it gives up here rather than try forever.
            reason: str = _column(row, "last_error") or "the last try never finished"
            reason = f"Gave up after {self.max_attempts} tries: {reason}"
            return self._finish(row, self.failed, reason, {})
        return Outcome("done")  # not due yet: the periodic job will send it

    def _retry(self, row: M, reason: str, fields: Mapping[str, Any]) -> Outcome:
        attempts: int = _column(row, "attempts")  # counted by the claim
        if attempts >= self.max_attempts:
            return self._finish(row, self.failed, reason, fields)
        wait = self.backoff[min(attempts, len(self.backoff)) - 1]
        now = timezone.now()
        lease = {} if self.lease_field == "next_attempt_at" else {self.lease_field: None}
        self.model._default_manager.filter(pk=row.pk).update(
            next_attempt_at=now + dt.timedelta(seconds=wait),
            last_error=reason[:REASON_LIMIT],
            updated_at=now,
            **lease,
            **fields,
        )
        return Outcome("retry", reason, wait_seconds=wait)

    def _finish(self, row: M, status: str, detail: str, fields: Mapping[str, Any]) -> Outcome:
        now = timezone.now()
        failed = status == self.failed
        outcome = Outcome("failed" if failed else "sent", detail)
        with transaction.atomic():
            self.model._default_manager.filter(pk=row.pk).update(
                status=status,
                last_error=detail[:REASON_LIMIT] if failed else "",
                updated_at=now,
                **{self.lease_field: None, self.sent_at_field: None if failed else now},
                **fields,
            )
            if self.on_done is not None:
                self.on_done(row, outcome)
        return outcome


def _column(row: Model, name: str) -> Any:
    """A column every outbox model has (status, attempts, last_error); the model type
    itself says nothing of them."""
    return getattr(row, name)
