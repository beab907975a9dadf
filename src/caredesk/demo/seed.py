"""Bulk synthetic data for benchmarks: a million tickets in minutes.

Rows are generated as plain tuples and written with COPY on PostgreSQL and executemany
on SQLite, one transaction per batch, with ids allocated here (sequences are reset at
the end). Search entries go through the same table and FTS triggers as in normal
operation, so the index that searches use is the real one. Model instances are used
only for the few agents, teams and tags.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.models import Team, User
from caredesk.core.periods import micros
from caredesk.customers.models import ContactPoint, Customer, Organization, Purchase
from caredesk.demo import vocabulary as v
from caredesk.search.models import SearchEntry
from caredesk.tickets.enums import Channel, Priority, TicketType
from caredesk.tickets.models import Message, Tag, Ticket, TicketEvent

BATCH = 20_000
DETAIL_EVERY = 100  # every 100th ticket has a 10-message conversation
Progress = Callable[[str, int, int], None]


def _quiet(label: str, done: int, total: int) -> None:
    return None


class _Table:
    """Insert tuples into one model's table, with ids handed out here."""

    def __init__(self, model: type[models.Model], columns: list[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = columns
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")  # noqa: S608
            self.next_id = int(cursor.fetchone()[0]) + 1

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cols = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg's own cursor, for COPY
                with raw.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {self.table} ({cols}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)


def _time(value: dt.datetime | None) -> Any:
    """A UTC datetime as the driver stores it (SQLite: Django's text format)."""
    if value is None or connection.vendor == "postgresql":
        return value
    return str(value.replace(tzinfo=None))


def _agents(n: int = 50, teams: int = 5) -> list[User]:
    existing = list(
        User.objects.filter(email__startswith="seed-agent", role=Role.AGENT).order_by("id")
    )
    if len(existing) >= n:
        return existing[:n]
    team_rows = [Team.objects.get_or_create(name=f"Seed team {i + 1}")[0] for i in range(teams)]
    made = []
    for i in range(len(existing), n):
        user = User(
            username=f"seed-agent{i:03d}@example.com",
            email=f"seed-agent{i:03d}@example.com",
            role=Role.AGENT,
            first_name=v.FIRST_NAMES[i % len(v.FIRST_NAMES)],
            last_name="Agent",
        )
        user.set_unusable_password()
        made.append(user)
    User.objects.bulk_create(made)
    agents = list(
        User.objects.filter(email__startswith="seed-agent", role=Role.AGENT).order_by("id")
    )
    for i, agent in enumerate(agents):
        team_rows[i % teams].members.add(agent)
    return agents[:n]


def seed_bulk(
    *, tickets: int, customers: int, seed: int = 1, progress: Progress = _quiet
) -> dict[str, Any]:
    """Add ``customers`` customers and ``tickets`` tickets with conversations.

    Returns counts. Safe to run more than once: each run uses fresh email addresses.
    """
    rng = random.Random(seed)
    run = f"{timezone.now():%Y%m%d%H%M%S}{rng.randrange(1000):03d}"
    agents = [(a.pk, a.teams.values_list("id", flat=True).first()) for a in _agents()]
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in v.TAGS]
    people = _customers(rng, customers, run, progress)
    writer = _TicketWriter(rng, people, agents, tag_ids)
    done = 0
    while done < tickets:
        size = min(BATCH, tickets - done)
        with transaction.atomic():
            writer.batch(done, size, tickets)
        done += size
        progress("tickets", done, tickets)
    _finish()
    return {"tickets": tickets, "customers": customers, "messages": writer.messages}


def _finish() -> None:
    """Reset id sequences past the ids handed out here, and refresh planner statistics.
    On PostgreSQL also VACUUM, as autovacuum would soon after a bulk load: it sets the
    visibility map that lets counts and lists be answered from indexes alone."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables: list[type[models.Model]] = [
                Organization,
                Customer,
                ContactPoint,
                Purchase,
                SearchEntry,
                Ticket,
                Message,
                TicketEvent,
                Ticket.tags.through,
            ]
            for statement in connection.ops.sequence_reset_sql(no_style(), tables):
                cursor.execute(statement)
            if connection.in_atomic_block:  # VACUUM cannot run in a transaction
                cursor.execute("ANALYZE")
            else:
                cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def _customers(
    rng: random.Random, n: int, run: str, progress: Progress
) -> list[tuple[int, int | None]]:
    """Insert customers (40 % in an organisation, 60 % with a purchase); (id, org id)."""
    now = timezone.now()
    orgs = _Table(
        Organization,
        [
            "id",
            "created_at",
            "updated_at",
            "name",
            "kind",
            "domains",
            "shared_tickets",
            "custom_fields",
            "notes",
        ],
    )
    org_ids = []
    org_rows = []
    for i in range(max(1, n // 50)):
        org_ids.append(orgs.take_id())
        org_rows.append(
            (
                org_ids[-1],
                _time(now),
                _time(now),
                f"{rng.choice(v.COMPANIES)} {run}-{i}",
                "external",
                "[]",
                False,
                "{}",
                "",
            )
        )
    customers = _Table(
        Customer,
        [
            "id",
            "created_at",
            "updated_at",
            "name",
            "organization_id",
            "custom_fields",
            "first_purchase_at",
            "last_purchase_at",
            "purchase_count",
            "lifetime_value",
            "org_admin",
        ],
    )
    contacts = _Table(
        ContactPoint,
        [
            "id",
            "created_at",
            "updated_at",
            "customer_id",
            "kind",
            "value",
            "label",
            "is_primary",
            "undeliverable",
        ],
    )
    purchases = _Table(
        Purchase,
        [
            "id",
            "created_at",
            "updated_at",
            "customer_id",
            "purchased_at",
            "amount",
            "currency",
            "product",
        ],
    )
    entries = _Table(
        SearchEntry, ["id", "kind", "object_id", "customer_id", "organization_id", "title", "body"]
    )
    with transaction.atomic():
        orgs.write(org_rows)
    people: list[tuple[int, int | None]] = []
    stamp = _time(now)
    for offset in range(0, n, BATCH):
        rows, cps, buys, docs = [], [], [], []
        for i in range(offset, min(n, offset + BATCH)):
            cid = customers.take_id()
            org = rng.choice(org_ids) if rng.random() < 0.4 else None
            name = f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.LAST_NAMES)}"
            email = f"c{run}-{i}@seed.example.com"
            kind = rng.random()
            bought: Any = None
            amount = Decimal("0")
            if kind < 0.6:  # 60 % have bought: recently or long ago
                days = rng.randrange(1, 300) if kind < 0.4 else rng.randrange(400, 1500)
                bought = _time(now - dt.timedelta(days=days))
                amount = Decimal(rng.randrange(1000, 200000)) / 100
                buys.append(
                    (
                        purchases.take_id(),
                        stamp,
                        stamp,
                        cid,
                        bought,
                        amount,
                        "EUR",
                        rng.choice(v.PRODUCTS),
                    )
                )
            rows.append(
                (
                    cid,
                    stamp,
                    stamp,
                    name,
                    org,
                    "{}",
                    bought,
                    bought,
                    1 if bought else 0,
                    amount,
                    False,
                )
            )
            cps.append((contacts.take_id(), stamp, stamp, cid, "email", email, "", True, False))
            docs.append((entries.take_id(), "customer", cid, cid, org, name, email))
            people.append((cid, org))
        with transaction.atomic():
            customers.write(rows)
            contacts.write(cps)
            purchases.write(buys)
            entries.write(docs)
        progress("customers", len(people), n)
    return people


class _TicketWriter:
    """Tickets with 1-4 messages each (every 100th with 10), a created event, maybe a tag."""

    def __init__(
        self,
        rng: random.Random,
        people: list[tuple[int, int | None]],
        agents: list[tuple[int, int | None]],
        tag_ids: list[int],
    ) -> None:
        self.rng = rng
        self.people = people
        self.agents = agents
        self.tag_ids = tag_ids
        self.now = timezone.now()
        self.start = self.now - dt.timedelta(days=730)
        self.span = (self.now - self.start).total_seconds()
        self.messages = 0
        self.tickets = _Table(
            Ticket,
            [
                "id",
                "created_at",
                "updated_at",
                "subject",
                "requester_id",
                "organization_id",
                "type",
                "status",
                "priority",
                "assignee_id",
                "team_id",
                "custom_fields",
                "channel",
                "version",
                "first_response_at",
                "solved_at",
                "closed_at",
                "first_solved_at",
                "resolution_us",
                "first_response_us",
            ],
        )
        self.message_table = _Table(
            Message,
            [
                "id",
                "created_at",
                "updated_at",
                "ticket_id",
                "author_role",
                "author_user_id",
                "author_customer_id",
                "is_public",
                "channel",
                "text",
                "html",
            ],
        )
        self.events = _Table(
            TicketEvent,
            ["id", "ticket_id", "at", "actor_id", "kind", "field", "old_value", "new_value"],
        )
        self.entries = _Table(
            SearchEntry,
            ["id", "kind", "object_id", "customer_id", "organization_id", "title", "body"],
        )
        self.tags = _Table(Ticket.tags.through, ["id", "ticket_id", "tag_id"])

    def batch(self, offset: int, size: int, total: int) -> None:
        rng = self.rng
        rows: list[tuple[Any, ...]] = []
        msgs: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        docs: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        for i in range(offset, offset + size):
            tid = self.tickets.take_id()
            created = self.start + dt.timedelta(
                seconds=self.span * (i + rng.random()) / max(total, 1)
            )
            product, problem = rng.choice(v.PRODUCTS), rng.choice(v.PROBLEMS)
            requester, org = rng.choice(self.people)
            if (self.now - created).days > 14:
                status = rng.choices(["closed", "solved", "open", "pending"], [70, 16, 9, 5])[0]
            else:
                status = rng.choices(
                    ["new", "open", "pending", "on_hold", "solved"], [25, 35, 15, 5, 20]
                )[0]
            agent, team = (
                rng.choice(self.agents) if status != "new" or rng.random() < 0.3 else (None, None)
            )
            channel = rng.choices(Channel.values, [45, 15, 10, 10, 12, 3, 2, 3])[0]
            texts = []
            at = created
            first_response = None
            for k in range(10 if i % DETAIL_EVERY == 0 else rng.choice((1, 2, 2, 3, 3, 4))):
                ref = rng.randrange(10000, 99999)
                if k % 2 == 0:
                    text = f"{rng.choice(v.OPENERS)} " + rng.choice(v.BODIES).format(
                        p=product, q=problem, n=ref
                    )
                    msgs.append(
                        (
                            self.message_table.take_id(),
                            _time(at),
                            _time(at),
                            tid,
                            "customer",
                            None,
                            requester,
                            True,
                            channel,
                            text,
                            "",
                        )
                    )
                else:
                    text = rng.choice(v.REPLIES).format(p=product, n=ref)
                    first_response = first_response or at
                    msgs.append(
                        (
                            self.message_table.take_id(),
                            _time(at),
                            _time(at),
                            tid,
                            "agent",
                            agent,
                            None,
                            True,
                            channel,
                            text,
                            "",
                        )
                    )
                texts.append(text)
                at = min(self.now, at + dt.timedelta(minutes=rng.randrange(5, 2000)))
            subject = f"{product.capitalize()} {problem}"
            done_at = _time(at) if status in ("solved", "closed") else None
            rows.append(
                (
                    tid,
                    _time(created),
                    _time(at),
                    subject,
                    requester,
                    org,
                    rng.choices(TicketType.values, [40, 25, 20, 10, 5])[0],
                    status,
                    rng.choices(Priority.values, [15, 60, 20, 5])[0],
                    agent,
                    team,
                    "{}",
                    channel,
                    1,
                    _time(first_response),
                    done_at,
                    _time(at) if status == "closed" else None,
                    done_at,
                    micros(created, at) if done_at else None,
                    micros(created, first_response) if first_response else None,
                )
            )
            events.append(
                (self.events.take_id(), tid, _time(created), None, "created", "", "", subject)
            )
            docs.append(
                (self.entries.take_id(), "ticket", tid, requester, org, subject, "\n".join(texts))
            )
            if rng.random() < 0.3:
                links.append((self.tags.take_id(), tid, rng.choice(self.tag_ids)))
        self.tickets.write(rows)
        self.message_table.write(msgs)
        self.events.write(events)
        self.entries.write(docs)
        self.tags.write(links)
        self.messages += len(msgs)
