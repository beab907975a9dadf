"""SLA over many tickets: record warnings and breaches once at the moment they happened
(sla_check, the timers job), and start or recompute the clocks of every open ticket in
batches (sla_sweep: after a policy changes, or on an installation's first policy)."""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone
from psycopg.types.datetime import TimestamptzLoader

from caredesk.customers.models import Customer, Segment
from caredesk.customers.segments import rules_parse, rules_q
from caredesk.customers.services import crm_settings_get
from caredesk.sla.models import TARGETS, SlaPolicy, TicketSla
from caredesk.sla.services.clocks import (
    resolution_times,
)
from caredesk.sla.services.policies import (
    business_add,
    facts_match,
    warn_at,
)
from caredesk.tickets.enums import OPEN_STATUSES as OPEN_TICKET_STATUSES
from caredesk.tickets.models import Ticket


@dataclass(frozen=True)
class SlaEvent:
    ticket_id: int
    target: str
    kind: str  # "warning" or "breach"
    at: dt.datetime


def sla_check(*, now: dt.datetime | None = None) -> list[SlaEvent]:
    """Record every breach once, at the moment it happened (the due time), and every
    warning once; return them for notifications and automation. One UPDATE … RETURNING
    per target and kind: only the rows whose time has come are touched (partial indexes),
    and two checks running at once can never record one twice."""
    now = now or timezone.now()
    table = connection.ops.quote_name(TicketSla._meta.db_table)
    moment = connection.ops.adapt_datetimefield_value(now)
    events: list[SlaEvent] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for target in TARGETS:
            due, met, breached = f"{target}_due", f"{target}_met", f"{target}_breached"
            warn, warned = f"{target}_warn", f"{target}_warned"
            still_open = f"{met} IS NULL AND {breached} IS NULL"
            if target == "resolution":
                still_open += " AND paused_since IS NULL"
            # constant column names only; the moment is a parameter
            cursor.execute(
                f"UPDATE {table} SET {breached} = {due}, updated_at = %s "  # noqa: S608
                f"WHERE {still_open} AND {due} <= %s RETURNING ticket_id, {due}",
                [moment, moment],
            )
            events += [SlaEvent(t, target, "breach", _moment(w)) for t, w in cursor.fetchall()]
            cursor.execute(
                f"UPDATE {table} SET {warned} = %s "  # noqa: S608
                f"WHERE {warned} IS NULL AND {still_open} AND {warn} <= %s "
                f"RETURNING ticket_id, {warn}",
                [moment, moment],
            )
            events += [SlaEvent(t, target, "warning", _moment(w)) for t, w in cursor.fetchall()]
    return events


def _moment(value: Any) -> dt.datetime:
    """A datetime read by a raw cursor: SQLite gives text, PostgreSQL a datetime."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class SweepStats:
    tickets: int
    with_policy: int
    seconds: float
    breaches: int
    warnings: int


def sla_sweep(*, now: dt.datetime | None = None, batch: int = 5000) -> SweepStats:
    """Recompute the clocks of every open ticket in bulk (after a policy or calendar
    change, or to start SLAs on existing tickets), then check them. Keeps what has
    happened: times met, breached, warned and paused. Next-response clocks move with
    the conversation and are left as they are.

    Run on its own (the CLI) on PostgreSQL, a writer thread with its own connection
    writes each batch while the next is computed, so the database and Python work at
    the same time; inside a caller's transaction everything is written in it."""

    started = time.perf_counter()
    now = now or timezone.now()
    policies = list(SlaPolicy.objects.filter(active=True).select_related("calendar"))
    members = _segment_members(policies)
    total, matched, breaches, warnings = 0, 0, 0, 0
    # PostgreSQL writes on its own core while Python computes; SQLite's writes are
    # mostly Python work on this process's GIL, and measured slower on a thread.
    threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
    writer = _BatchWriter() if threaded else None
    try:
        for rows, kept in _open_ticket_batches(batch):
            total += len(rows)
            out, gone = [], []
            for pk, created, priority, kind, channel, org, requester, first in rows:
                facts = {"priority": priority, "type": kind, "channel": channel}
                policy = next(
                    (p for p in policies if facts_match(p, facts, org, requester, members)),
                    None,
                )
                if policy is None:
                    gone.append(pk)
                    continue
                paused, paused_since, was_met, fr_was, res_was = kept.get(
                    pk, (0.0, None, None, None, None)
                )
                fr = policy.first_response_minutes
                fr_due = business_add(policy, created, fr) if fr is not None else None
                fr_warn = warn_at(policy, created, fr) if fr is not None else None
                fr_met = was_met or first
                res_due, res_warn = resolution_times(policy, created, paused)
                # what the check would record right away is written with the clocks
                fr_breach, fr_warned = _outcome(fr_due, fr_warn, running=fr_met is None, now=now)
                res_breach, res_warned = _outcome(
                    res_due, res_warn, running=paused_since is None, now=now
                )
                breaches += (fr_breach is not None and fr_was is None) + (
                    res_breach is not None and res_was is None
                )
                warnings += (fr_warned is not None) + (res_warned is not None)
                out.append((pk, policy.pk, fr_due, fr_warn, fr_met, res_due, res_warn, paused,
                            fr_breach, fr_warned, res_breach, res_warned))  # fmt: skip
            matched += len(out)
            if writer is not None:
                writer.put(gone, out)
            else:
                _batch_write(gone, out)
    finally:
        if writer is not None:
            writer.close()
    events = sla_check(now=now)  # next-response clocks, and anything left
    return SweepStats(
        tickets=total,
        with_policy=matched,
        seconds=round(time.perf_counter() - started, 2),
        breaches=breaches + sum(e.kind == "breach" for e in events),
        warnings=warnings + sum(e.kind == "warning" for e in events),
    )


_TICKET_COLUMNS = ("id", "created_at", "priority", "type", "channel", "organization_id",
                   "requester_id", "first_response_at")  # fmt: skip


_KEPT_COLUMNS = ("ticket_id", "paused_minutes", "paused_since", "first_response_met",
                 "first_response_breached", "resolution_breached")  # fmt: skip


def _open_ticket_batches(
    batch: int,
) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, tuple[Any, ...]]]]:
    """The open tickets in id order, ``batch`` at a time, each batch with what their
    existing clocks keep. On PostgreSQL through psycopg's own (C) loaders: Django's
    timestamp loader, written in Python, took a third of the sweep."""
    statuses = sorted(s.value for s in OPEN_TICKET_STATUSES)
    last = 0
    if connection.vendor != "postgresql":
        open_tickets = Ticket.objects.filter(status__in=statuses).order_by("pk")
        while True:
            rows = list(open_tickets.filter(pk__gt=last).values_list(*_TICKET_COLUMNS)[:batch])
            if not rows:
                return
            last = rows[-1][0]
            kept = TicketSla.objects.filter(ticket_id__in=[r[0] for r in rows])
            yield rows, {r[0]: r[1:] for r in kept.values_list(*_KEPT_COLUMNS)}

    tickets = connection.ops.quote_name(Ticket._meta.db_table)
    clocks = connection.ops.quote_name(TicketSla._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.adapters.register_loader("timestamptz", TimestamptzLoader)
        while True:
            # constant column and table names only; values are parameters
            raw.execute(
                f"SELECT {', '.join(_TICKET_COLUMNS)} FROM {tickets} "  # noqa: S608
                "WHERE status = ANY(%s) AND id > %s ORDER BY id LIMIT %s",
                [statuses, last, batch],
            )
            rows = raw.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            raw.execute(
                f"SELECT {', '.join(_KEPT_COLUMNS)} FROM {clocks} "  # noqa: S608
                "WHERE ticket_id BETWEEN %s AND %s",
                [rows[0][0], last],
            )
            yield rows, {r[0]: r[1:] for r in raw.fetchall()}


def _batch_write(gone: list[int], out: list[tuple[Any, ...]]) -> None:
    with transaction.atomic():
        if gone:
            TicketSla.objects.filter(ticket_id__in=gone).delete()
        _upsert(out)


class _BatchWriter:
    """Writes batches on a thread with its own database connection, one transaction per
    batch; the first error stops it and is raised by put() or close()."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[list[int], list[tuple[Any, ...]]] | None] = queue.Queue(2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="sla-sweep-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                if self.error is None:
                    _batch_write(*item)
        except BaseException as exc:  # handed to the sweeping thread
            self.error = exc
            while self.queue.get() is not None:  # let put() and close() finish
                pass
        finally:
            connections.close_all()

    def put(self, gone: list[int], out: list[tuple[Any, ...]]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((gone, out))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _outcome(
    due: dt.datetime | None, warn: dt.datetime | None, *, running: bool, now: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(breached, warned) as sla_check would record them at ``now``."""
    if not running or due is None:
        return None, None
    if due <= now:
        return due, None
    if warn is not None and warn <= now:
        return None, now
    return None, None


UPSERT_COLUMNS = (
    "ticket_id",
    "policy_id",
    "first_response_due",
    "first_response_warn",
    "first_response_met",
    "resolution_due",
    "resolution_warn",
    "paused_minutes",
    "first_response_breached",
    "first_response_warned",
    "resolution_breached",
    "resolution_warned",
)


KEEP_FIRST = ("first_response_met", "first_response_breached", "first_response_warned",
              "resolution_breached", "resolution_warned")  # fmt: skip


COLUMNS = (*UPSERT_COLUMNS, "updated_at")


SETTLED = ("first_response_met", "first_response_breached", "resolution_breached")


DUE = ("first_response_due", "resolution_due")


UPSERT_ROWS = 1000  # rows per statement: 13,000 parameters, within SQLite's limit


def _upsert(rows: list[tuple[Any, ...]]) -> None:
    """Insert or update TicketSla rows; what was met, breached or warned is never
    cleared. PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON
    CONFLICT; SQLite: a thousand rows per INSERT … ON CONFLICT statement. (The ORM's
    bulk_create spent four fifths of the sweep preparing values; on PostgreSQL, binding
    12,000 parameters per statement cost more than computing the clocks.)"""
    if not rows:
        return
    table = connection.ops.quote_name(TicketSla._meta.db_table)
    now = timezone.now()
    rows = [(*row, now) for row in rows]
    cols = ", ".join(COLUMNS)
    updates = ", ".join(
        f"{c} = excluded.{c}"
        if c not in KEEP_FIRST
        else f"{c} = COALESCE({table}.{c}, excluded.{c})"
        for c in UPSERT_COLUMNS[1:]
        if c != "paused_minutes"
    )
    # updated_at moves only when an outcome the KPI rollups count may have changed
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(
        [f"({table}.{c} IS NULL AND excluded.{c} IS NOT NULL)" for c in SETTLED]
        + [f"{table}.{c} {differs} excluded.{c}" for c in ("policy_id", *DUE)]
    )
    updates += (
        f", updated_at = CASE WHEN {changed} THEN excluded.updated_at ELSE {table}.updated_at END"
    )
    conflict = f"ON CONFLICT (ticket_id) DO UPDATE SET {updates}"
    if connection.vendor == "postgresql":
        _upsert_copy(rows, table=table, cols=cols, conflict=conflict)
        return
    one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for i in range(0, len(rows), UPSERT_ROWS):
            part = rows[i : i + UPSERT_ROWS]
            params = [adapt(v) if isinstance(v, dt.datetime) else v for row in part for v in row]
            # only constant column names and the model's own table name go into the text
            cursor.execute(
                f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(part))} "  # noqa: S608
                f"{conflict}",
                params,
            )


_COPY_TYPES = {"ticket_id": "bigint", "policy_id": "bigint", "paused_minutes": "double precision"}


def _upsert_copy(rows: list[tuple[Any, ...]], *, table: str, cols: str, conflict: str) -> None:
    staging = "caredesk_sla_sweep_rows"
    columns = ", ".join(f"{c} {_COPY_TYPES.get(c, 'timestamptz')}" for c in COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        raw.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ({columns}) ON COMMIT DELETE ROWS"
        )
        raw.execute(f"TRUNCATE {staging}")
        with raw.copy(f"COPY {staging} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {staging} {conflict}"  # noqa: S608
        )


def _segment_members(policies: list[SlaPolicy]) -> dict[int, set[int]]:
    """Customer ids of every segment a policy names (one query per segment)."""

    wanted = {sid for p in policies for sid in (p.conditions or {}).get("segment_ids", [])}
    if not wanted:
        return {}
    window = crm_settings_get().recency_window_days
    now = timezone.now()
    return {
        s.pk: set(
            Customer.objects.filter(
                rules_q(rules_parse(s.rules), now=now, window_days=window)
            ).values_list("pk", flat=True)
        )
        for s in Segment.objects.filter(pk__in=wanted)
    }
