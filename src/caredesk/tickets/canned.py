"""Canned replies: the one service that checks and saves them (the admin screen, Django
admin and the API), those an agent may use, and the values their placeholders take."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.accounts.selectors import team_id_checked
from caredesk.core.errors import ValidationFailed
from caredesk.customers.selectors import customer_emails
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import CannedReply, Ticket
from caredesk.tickets.placeholders import KNOWN, PLACEHOLDER

MAX_BODY = 20_000


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


def canned_reply_check(data: dict[str, Any]) -> dict[str, Any]:
    """A canned reply's title, body and team, checked: a title of at most 120 characters,
    a body, and only placeholders caredesk knows (a typo would reach the customer)."""
    title = " ".join(str(data.get("title") or "").split())
    if not title or len(title) > 120:
        raise ValidationFailed(
            TicketErrorCode.INVALID_TITLE,
            _("A canned reply needs a title of at most 120 characters."),
            field="title",
        )
    body = str(data.get("body") or "").strip()
    if not body or len(body) > MAX_BODY:
        raise ValidationFailed(
            TicketErrorCode.INVALID_BODY,
            _("A canned reply needs a text of at most %(MAX_BODY)s characters.")
            % {"MAX_BODY": MAX_BODY},
            field="body",
        )
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(body)} - set(KNOWN))
    if unknown:
        raise ValidationFailed(
            TicketErrorCode.UNKNOWN_PLACEHOLDER,
            f"Unknown placeholder {{{{{unknown[0]}}}}}; known are "
            + ", ".join("{{" + k + "}}" for k in KNOWN)
            + ".",
            field="body",
        )
    return team_id_checked({**data, "title": title, "body": body}, TicketErrorCode.UNKNOWN_TEAM)


def canned_reply_save(*, reply: CannedReply | None, data: dict[str, Any]) -> CannedReply:
    """Create a canned reply (``reply`` None) or change one."""
    checked = canned_reply_check(data)
    row = reply or CannedReply()
    row.title, row.body = checked["title"], checked["body"]
    if "team_id" in checked:
        row.team_id = checked["team_id"]
    row.save()
    return row


def canned_reply_delete(*, reply: CannedReply) -> None:
    reply.delete()
