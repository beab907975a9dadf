"""Bulk synthetic data for benchmarks: a million tickets in minutes.

Rows are written with bulk_create in batches inside one transaction per batch; search
entries go through the same table and triggers as in normal operation, so the index
that searches use is the real one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.models import Team, User
from caredesk.customers.models import ContactPoint, Customer, Organization, Purchase
from caredesk.demo import vocabulary as v
from caredesk.search.models import DocKind, SearchEntry
from caredesk.tickets.enums import AuthorRole, Channel, EventKind, Priority, TicketType
from caredesk.tickets.models import Message, Tag, Ticket, TicketEvent

BATCH = 5_000
DETAIL_EVERY = 100  # every 100th ticket has a 10-message conversation
Progress = Callable[[str, int, int], None]


def _quiet(label: str, done: int, total: int) -> None:
    return None


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
    agents = _agents()
    team_of = {a.pk: a.teams.values_list("id", flat=True).first() for a in agents}
    tags = [Tag.objects.get_or_create(name=name)[0] for name in v.TAGS]
    customer_ids, org_ids = _customers(rng, customers, run, progress)
    now = timezone.now()
    start = now - dt.timedelta(days=730)
    span = (now - start).total_seconds()
    done = 0
    messages = 0
    while done < tickets:
        size = min(BATCH, tickets - done)
        with transaction.atomic():
            messages += _ticket_batch(
                rng,
                done,
                size,
                tickets,
                start,
                span,
                now,
                customer_ids,
                org_ids,
                agents,
                team_of,
                tags,
            )
        done += size
        progress("tickets", done, tickets)
    _analyze()
    return {"tickets": tickets, "customers": customers, "messages": messages}


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _customers(
    rng: random.Random, n: int, run: str, progress: Progress
) -> tuple[list[int], dict[int, int | None]]:
    orgs = Organization.objects.bulk_create(
        [Organization(name=f"{rng.choice(v.COMPANIES)} {run}-{i}") for i in range(max(1, n // 50))]
    )
    ids: list[int] = []
    org_of: dict[int, int | None] = {}
    now = timezone.now()
    for offset in range(0, n, BATCH):
        size = min(BATCH, n - offset)
        with transaction.atomic():
            rows = []
            for _ in range(size):
                name = f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.LAST_NAMES)}"
                org = rng.choice(orgs) if rng.random() < 0.4 else None
                rows.append(Customer(name=name, organization=org))
            made = Customer.objects.bulk_create(rows)
            contacts, purchases, entries = [], [], []
            for i, c in enumerate(made):
                email = f"c{run}-{offset + i}@seed.example.com"
                contacts.append(
                    ContactPoint(customer=c, kind="email", value=email, is_primary=True)
                )
                kind = rng.random()
                if kind < 0.6:  # 60 % have bought: recent or long ago
                    days = rng.randrange(1, 300) if kind < 0.4 else rng.randrange(400, 1500)
                    at = now - dt.timedelta(days=days)
                    amount = Decimal(rng.randrange(1000, 200000)) / 100
                    purchases.append(
                        Purchase(
                            customer=c,
                            purchased_at=at,
                            amount=amount,
                            product=rng.choice(v.PRODUCTS),
                        )
                    )
                    c.first_purchase_at = c.last_purchase_at = at
                    c.purchase_count, c.lifetime_value = 1, amount
                org_of[c.pk] = c.organization_id
                ids.append(c.pk)
                entries.append(
                    SearchEntry(
                        kind=DocKind.CUSTOMER,
                        object_id=c.pk,
                        customer_id=c.pk,
                        organization_id=c.organization_id,
                        title=c.name,
                        body=email,
                    )
                )
            ContactPoint.objects.bulk_create(contacts)
            Purchase.objects.bulk_create(purchases)
            Customer.objects.bulk_update(
                [c for c in made if c.purchase_count],
                ["first_purchase_at", "last_purchase_at", "purchase_count", "lifetime_value"],
            )
            SearchEntry.objects.bulk_create(entries)
        progress("customers", offset + size, n)
    return ids, org_of


def _ticket_batch(
    rng: random.Random,
    offset: int,
    size: int,
    total: int,
    start: dt.datetime,
    span: float,
    now: dt.datetime,
    customer_ids: list[int],
    org_ids: dict[int, int | None],
    agents: list[User],
    team_of: dict[int, int | None],
    tags: list[Tag],
) -> int:
    rows: list[Ticket] = []
    texts: list[list[tuple[str, str, dt.datetime]]] = []
    for i in range(offset, offset + size):
        created = start + dt.timedelta(seconds=span * (i + rng.random()) / max(total, 1))
        age_days = (now - created).days
        product, problem = rng.choice(v.PRODUCTS), rng.choice(v.PROBLEMS)
        requester = rng.choice(customer_ids)
        n_messages = 10 if i % DETAIL_EVERY == 0 else rng.choice((1, 2, 2, 3, 3, 4))
        convo: list[tuple[str, str, dt.datetime]] = []
        at = created
        for k in range(n_messages):
            ref = rng.randrange(10000, 99999)
            if k % 2 == 0:
                text = f"{rng.choice(v.OPENERS)} " + rng.choice(v.BODIES).format(
                    p=product, q=problem, n=ref
                )
                convo.append((AuthorRole.CUSTOMER, text, at))
            else:
                convo.append((AuthorRole.AGENT, rng.choice(v.REPLIES).format(p=product, n=ref), at))
            at = min(now, at + dt.timedelta(minutes=rng.randrange(5, 2000)))
        if age_days > 14:
            status = rng.choices(["closed", "solved", "open", "pending"], [70, 16, 9, 5])[0]
        else:
            status = rng.choices(
                ["new", "open", "pending", "on_hold", "solved"], [25, 35, 15, 5, 20]
            )[0]
        agent = rng.choice(agents) if status != "new" or rng.random() < 0.3 else None
        first_response = next((m[2] for m in convo if m[0] == AuthorRole.AGENT), None)
        rows.append(
            Ticket(
                subject=f"{product.capitalize()} {problem}",
                requester_id=requester,
                organization_id=org_ids.get(requester),
                status=status,
                type=rng.choices(TicketType.values, [40, 25, 20, 10, 5])[0],
                priority=rng.choices(Priority.values, [15, 60, 20, 5])[0],
                channel=rng.choices(Channel.values, [45, 15, 10, 10, 12, 3, 2, 3])[0],
                assignee=agent,
                team_id=team_of.get(agent.pk) if agent else None,
                created_at=created,
                updated_at=at,
                first_response_at=first_response,
                solved_at=at if status in ("solved", "closed") else None,
                closed_at=at if status == "closed" else None,
            )
        )
        texts.append(convo)
    made = Ticket.objects.bulk_create(rows)
    messages: list[Message] = []
    events: list[TicketEvent] = []
    entries: list[SearchEntry] = []
    tag_links = []
    through = Ticket.tags.through
    for ticket, convo in zip(made, texts, strict=True):
        for role, text, at in convo:
            messages.append(
                Message(
                    ticket=ticket,
                    author_role=role,
                    is_public=True,
                    channel=ticket.channel,
                    text=text,
                    created_at=at,
                    updated_at=at,
                    author_customer_id=ticket.requester_id if role == AuthorRole.CUSTOMER else None,
                    author_user_id=ticket.assignee_id if role == AuthorRole.AGENT else None,
                )
            )
        events.append(
            TicketEvent(
                ticket=ticket,
                at=ticket.created_at,
                kind=EventKind.CREATED,
                new_value=ticket.subject,
            )
        )
        entries.append(
            SearchEntry(
                kind=DocKind.TICKET,
                object_id=ticket.pk,
                customer_id=ticket.requester_id,
                organization_id=ticket.organization_id,
                title=ticket.subject,
                body="\n".join(t for _, t, _ in convo),
            )
        )
        if rng.random() < 0.3:
            tag_links.append(through(ticket_id=ticket.pk, tag_id=rng.choice(tags).pk))
    Message.objects.bulk_create(messages)
    TicketEvent.objects.bulk_create(events)
    SearchEntry.objects.bulk_create(entries)
    through.objects.bulk_create(tag_links)
    return len(messages)
