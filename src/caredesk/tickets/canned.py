"""Canned replies an agent may use, and the values their placeholders take."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from caredesk.accounts.models import User
from caredesk.customers.selectors import customer_emails
from caredesk.tickets.models import CannedReply, Ticket


def canned_for_agent(*, user: User) -> QuerySet[CannedReply]:
    """Replies for everyone and those of the agent's teams, by title."""
    return CannedReply.objects.filter(
        Q(team__isnull=True) | Q(team__in=user.teams.values("pk"))
    ).order_by("title", "id")


def canned_values(*, ticket: Ticket, agent: User | None) -> dict[str, str]:
    """Placeholder values; without an agent (an automation rule) the agent is the team."""
    customer = ticket.requester
    agent_name = agent.display_name if agent else "The support team"
    return {
        "customer.first_name": customer.first_name,
        "customer.name": customer.name,
        "customer.email": customer_emails(customer_ids=[customer.pk]).get(customer.pk, ""),
        "ticket.id": str(ticket.pk),
        "ticket.subject": ticket.subject,
        "agent.first_name": (agent.first_name if agent else "") or agent_name,
        "agent.name": agent_name,
    }
