"""Demo data that looks real, written through the same services as the product."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.models import User
from caredesk.accounts.services import team_create, user_create
from caredesk.customers.indexing import search_index_customer
from caredesk.customers.models import Customer, Organization
from caredesk.customers.services import (
    customer_account_create,
    customer_create,
    customer_note_add,
    organization_create,
    purchase_create,
)
from caredesk.demo import vocabulary as v
from caredesk.demo.automation import demo_automation, demo_service_levels
from caredesk.demo.chat import demo_chat
from caredesk.demo.feedback import demo_feedback
from caredesk.demo.staffing import demo_staffing
from caredesk.surveys.services import survey_response_record
from caredesk.tickets.enums import Channel, TicketType
from caredesk.tickets.models import CannedReply
from caredesk.tickets.services import commitment_create
from caredesk.tickets.services.history import HistoryMessage, HistoryStatus, ticket_import_history

DEMO_DOMAIN = "demo.caredesk.example"


def demo_load(
    *, password: str, customers: int = 300, tickets: int = 400, seed: int = 7
) -> list[tuple[str, str]]:
    """Load the demo once (a second call changes nothing) and return (role, email) logins."""
    logins = [
        ("admin", f"admin@{DEMO_DOMAIN}"),
        ("supervisor", f"supervisor@{DEMO_DOMAIN}"),
        ("agent", f"agent@{DEMO_DOMAIN}"),
        ("customer", "anna.smith@northwind.example"),
    ]
    if User.objects.filter(email=logins[0][1]).exists():
        return logins
    rng = random.Random(seed)
    with transaction.atomic():
        staff = _staff(password, logins)
        orgs = _organizations()
        people = _customers(rng, customers, orgs)
        customer_account_create(
            email=logins[3][1],
            password=password,
            first_name="Anna",
            last_name="Smith",
            check_password=False,
        )
        people.insert(0, Customer.objects.get(contacts__value=logins[3][1]))
        _tickets(rng, tickets, people, staff)
        _canned_replies()
        demo_staffing()
        demo_service_levels()
        demo_automation(staff)
        demo_feedback(rng, next(u for u in staff if u.email == logins[1][1]))
        demo_chat(next(u for u in staff if u.email == logins[2][1]))
    return logins


def _canned_replies() -> None:
    for title, body in (
        (
            "Thanks, looking into it",
            "Hello {{customer.first_name}},\n\nthank you for your message about "
            '"{{ticket.subject}}". I am looking into it and will come back to you today.\n\n'
            "{{agent.first_name}}",
        ),
        (
            "Solved, please confirm",
            "Hello {{customer.first_name}},\n\nthis should now be solved. If anything is still "
            "wrong, just reply to this message and the ticket opens again.\n\n{{agent.name}}",
        ),
        (
            "Need more details",
            "Hello {{customer.first_name}},\n\ncould you send us your order number and, if you "
            "can, a screenshot of what you see?\n\n{{agent.first_name}}",
        ),
    ):
        CannedReply.objects.create(title=title, body=body)


def _staff(password: str, logins: list[tuple[str, str]]) -> list[User]:
    made = [
        user_create(
            email=email,
            role=role,
            password=password,
            check_password=False,
            first_name=role.capitalize(),
            last_name="Demo",
        )
        for role, email in logins[:3]
    ]
    agents = made[1:]
    for i, first in enumerate(["Lena", "Marco", "Priya", "Tom", "Sofia", "Kenji"]):
        agents.append(
            user_create(
                email=f"{first.lower()}@{DEMO_DOMAIN}",
                role=Role.AGENT,
                password=password,
                check_password=False,
                first_name=first,
                last_name=v.LAST_NAMES[i],
            )
        )
    team_create(name="First line", members=agents[1:4])
    team_create(name="Billing", members=agents[4:6])
    team_create(name="Technical", members=[agents[0], *agents[6:]])
    return agents


def _organizations() -> list[Organization]:
    orgs = [
        organization_create(
            name=name, domains=[name.split()[0].lower() + ".example"], shared_tickets=i % 3 == 0
        )
        for i, name in enumerate(v.COMPANIES[:8])
    ]
    orgs.append(organization_create(name="Finance department", kind="internal"))
    orgs.append(organization_create(name="Warehouse", kind="internal"))
    return orgs


def _customers(rng: random.Random, n: int, orgs: list[Organization]) -> list[Customer]:
    now = timezone.now()
    people = []
    for i in range(n):
        first, last = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
        org = rng.choice(orgs) if rng.random() < 0.5 else None
        domain = org.domains[0] if org and org.domains else "mail.example"
        local = unicodedata.normalize("NFKD", f"{first}.{last}.{i}").encode("ascii", "ignore")
        email = f"{local.decode()}@{domain}".lower()
        phones = [f"+4930{rng.randrange(1000000, 9999999)}"] if rng.random() < 0.4 else []
        customer = customer_create(
            name=f"{first} {last}",
            emails=[email],
            phones=phones,
            organization=org,
            custom_fields={"plan": rng.choice(["basic", "pro", "team"])},
            created_at=now - dt.timedelta(days=rng.randrange(30, 1500)),
        )
        kind = rng.random()  # about a third each: potential, existing, former
        if kind > 0.33:
            for _ in range(rng.randrange(1, 5)):
                days = rng.randrange(5, 300) if kind > 0.66 else rng.randrange(420, 1400)
                purchase_create(
                    customer=customer,
                    purchased_at=now - dt.timedelta(days=days),
                    amount=Decimal(rng.randrange(1500, 250000)) / 100,
                    product=rng.choice(v.PRODUCTS).capitalize(),
                )
        search_index_customer(customer=customer)
        people.append(customer)
    return people


def _tickets(rng: random.Random, n: int, people: list[Customer], agents: list[User]) -> None:
    now = timezone.now()
    channels = [c for c in Channel.values]
    for i in range(n):
        requester = people[0] if i < 5 else rng.choice(people)
        created = now - dt.timedelta(hours=rng.randrange(1, 24 * 120))
        product, problem = rng.choice(v.PRODUCTS), rng.choice(v.PROBLEMS)
        agent = rng.choice(agents)
        ttype = TicketType.COMPLAINT if i % 9 == 0 else rng.choice(list(TicketType.values))
        events: list[HistoryMessage | HistoryStatus] = []
        at = created
        for k in range(rng.randrange(1, 6)):
            ref = rng.randrange(10000, 99999)
            if k % 2 == 0:
                text = f"{rng.choice(v.OPENERS)} " + rng.choice(v.BODIES).format(
                    p=product, q=problem, n=ref
                )
                events.append(
                    HistoryMessage(
                        at=at,
                        author_role="customer",
                        author_user=None,
                        author_customer=requester,
                        text=text,
                    )
                )
            else:
                events.append(
                    HistoryMessage(
                        at=at,
                        author_role="agent",
                        author_user=agent,
                        author_customer=None,
                        text=rng.choice(v.REPLIES).format(p=product, n=ref),
                    )
                )
            at = min(now, at + dt.timedelta(minutes=rng.randrange(10, 1500)))
        status = rng.choices(
            ["new", "open", "pending", "on_hold", "solved", "closed"], [12, 30, 12, 6, 25, 15]
        )[0]
        if status in ("solved", "closed"):
            events.append(HistoryStatus(at=at, status="solved", actor=agent))
            if status == "closed":
                events.append(HistoryStatus(at=at + dt.timedelta(days=4), status="closed"))
        ticket = ticket_import_history(
            requester=requester,
            subject=f"{product.capitalize()} {problem}",
            created_at=created,
            channel=rng.choice(channels),
            type=ttype,
            priority=rng.choices(["low", "normal", "high", "urgent"], [15, 55, 22, 8])[0],
            status=None,
            events=events,
            assignee=agent if status != "new" else None,
            team=agent.teams.first(),
            tags=rng.sample(v.TAGS, rng.randrange(0, 3)),
        )
        if status in ("solved", "closed") and rng.random() < 0.5:
            survey_response_record(
                kind="csat",
                customer=requester,
                score=rng.choice([5, 5, 4, 4, 4, 3, 2, 1]),
                responded_at=at + dt.timedelta(hours=2),
                ticket=ticket,
            )
        if ttype == TicketType.COMPLAINT and status not in ("solved", "closed"):
            due = now + dt.timedelta(hours=rng.randrange(-72, 72))  # some already overdue
            commitment_create(
                ticket=ticket,
                actor=agent,
                due_at=due,
                description="Call the customer back with the outcome",
            )
        if i % 25 == 0:
            customer_note_add(
                customer=requester, author=agent, text="Prefers phone calls in the morning."
            )
