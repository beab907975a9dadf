"""Demo service levels, routing and rules: office hours, SLA policies by priority, a
routed team per strategy, and rules that show what automation does."""

from __future__ import annotations

from caredesk.accounts.models import Team, User
from caredesk.automation.services.rules import rule_save
from caredesk.channels.models import Mailbox
from caredesk.routing.services import (
    agent_routing_update,
    availability_set,
    skill_get_or_create,
    team_routing_update,
)
from caredesk.sla.services import calendar_save, policy_save, sla_sweep

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def demo_service_levels() -> None:
    """Office hours in Berlin, three policies by priority, clocks on the open tickets."""
    office = calendar_save(
        calendar=None,
        name="Office hours (Berlin)",
        timezone_name="Europe/Berlin",
        hours=[
            {"days": WEEKDAYS, "start": "08:00", "end": "12:30"},
            {"days": WEEKDAYS, "start": "13:30", "end": "18:00"},
        ],
        holidays=["2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01"],
    )
    for position, (name, priorities, first, resolution) in enumerate(
        (
            ("Urgent", ["urgent"], 60, 8 * 60),
            ("High", ["high"], 4 * 60, 2 * 8 * 60),
            ("Standard", [], 8 * 60, 5 * 8 * 60),
        )
    ):
        policy_save(
            policy=None,
            data={
                "name": name,
                "position": position,
                "conditions": {"priority": priorities} if priorities else {},
                "calendar": office,
                "first_response_minutes": first,
                "next_response_minutes": first * 2,
                "resolution_minutes": resolution,
            },
        )
    sla_sweep()


def demo_automation(agents: list[User]) -> None:
    """Skills, a routing strategy per team, agents online, a mailbox (no server: mail is
    imported with `caredesk mail import`), and a handful of rules."""

    first_line = Team.objects.get(name="First line")
    Mailbox.objects.create(
        name="Support",
        address="support@demo.caredesk.example",
        team=first_line,
        signature="The caredesk demo support team",
    )
    billing = Team.objects.get(name="Billing")
    technical = Team.objects.get(name="Technical")
    english = skill_get_or_create(kind="language", name="English")
    german = skill_get_or_create(kind="language", name="German")
    routers = skill_get_or_create(kind="product", name="Routers")
    team_routing_update(team=first_line, strategy="round_robin")
    team_routing_update(team=billing, strategy="least_loaded")
    team_routing_update(team=technical, strategy="skills")
    for i, agent in enumerate(agents):
        skills = [english.pk] + ([german.pk] if i % 2 else []) + ([routers.pk] if i % 3 else [])
        agent_routing_update(user=agent, capacity=25, skill_ids=skills)
        availability_set(user=agent, availability="online" if i % 4 else "away")
    rule_save(
        name="Invoices and refunds go to Billing",
        trigger="ticket.created",
        conditions={
            "match": "any",
            "conditions": [
                {"field": "subject", "op": "contains", "value": "invoice"},
                {"field": "subject", "op": "contains", "value": "refund"},
            ],
        },
        actions=[{"type": "route", "team": billing.pk}, {"type": "add_tags", "tags": ["billing"]}],
        position=10,
    )
    rule_save(
        name="Outages are urgent",
        trigger="ticket.created",
        conditions={"conditions": [{"field": "subject", "op": "contains", "value": "outage"}]},
        actions=[
            {"type": "set", "field": "priority", "value": "urgent"},
            {"type": "require_skills", "skills": [routers.pk]},
            {"type": "route", "team": technical.pk},
        ],
        position=20,
    )
    rule_save(
        name="Acknowledge email",
        trigger="ticket.created",
        conditions={
            "conditions": [
                {"field": "channel", "op": "is", "value": "email"},
                # never answer mail that no person sent (alerts, newsletters, lists)
                {"field": "message.automatic", "op": "not_set"},
            ]
        },
        actions=[
            {
                "type": "reply",
                "text": "Hello {{customer.first_name}},\n\nwe received your request "
                '"{{ticket.subject}}" (#{{ticket.id}}) and will answer within one working day.',
            }
        ],
        position=30,
    )
    rule_save(
        name="Customers who mention cancelling are escalated",
        trigger="message.customer",
        conditions={"conditions": [{"field": "message.text", "op": "contains", "value": "cancel"}]},
        actions=[{"type": "escalate", "team": first_line.pk, "priority": "high"}],
        position=40,
    )
    rule_save(
        name="Breaches are told to supervisors",
        trigger="sla.breach",
        actions=[
            {
                "type": "notify",
                "to": "supervisors",
                "text": "SLA breached on #{{ticket.id}} {{ticket.subject}}",
            }
        ],
        position=50,
    )
    rule_save(
        name="Tell email customers their request is solved",
        trigger="ticket.updated",
        conditions={
            "conditions": [
                {"field": "status", "op": "changed_to", "value": "solved"},
                {"field": "channel", "op": "is", "value": "email"},
            ]
        },
        actions=[
            {
                "type": "reply",
                "text": 'Hello {{customer.first_name}}, we consider "{{ticket.subject}}" '
                "(#{{ticket.id}}) solved. If anything is still wrong, just reply and it opens "
                "again.",
            }
        ],
        position=55,
    )
    rule_save(
        name="Solve after three quiet days",
        trigger="time",
        conditions={
            "conditions": [
                {"field": "status", "op": "is", "value": "pending"},
                {"field": "hours_in_status", "op": "gte", "value": 72},
            ]
        },
        actions=[
            {
                "type": "reply",
                "text": "Hello {{customer.first_name}}, we have not heard back from you, so we "
                "consider this solved. Just reply to open it again.",
            },
            {"type": "set", "field": "status", "value": "solved"},
        ],
        position=60,
    )
