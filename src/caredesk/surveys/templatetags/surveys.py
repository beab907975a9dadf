"""Survey prompts other apps' pages show without importing surveys: the portal's request
page loads this library and asks for the requester's open survey link."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from caredesk.surveys.selectors import survey_open_for_ticket
from caredesk.surveys.services import invitation_token

register = template.Library()


@register.simple_tag(takes_context=True)
def survey_link(context: dict[str, Any], ticket: Any) -> str:
    """The signed-in requester's unanswered survey about ``ticket``, as a URL ("" when
    there is none or it was sent to someone else)."""
    user = context["request"].user
    invitation = survey_open_for_ticket(ticket_id=ticket.pk)
    if invitation is None or getattr(user, "customer_id", None) != invitation.customer_id:
        return ""
    return reverse("survey", args=[invitation_token(invitation)])
