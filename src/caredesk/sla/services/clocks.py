"""Live SLA clocks: put them on a ticket, and move them with what happens to it (a
message meets or starts a response clock, a status pauses, meets or restarts the
resolution clock, a merge stops them). The SLA reaction calls these."""

from __future__ import annotations

import datetime as dt

from caredesk.sla.models import TARGETS, SlaPolicy, TicketSla
from caredesk.sla.services.policies import (
    business_add,
    business_between,
    policy_for,
    warn_at,
)
from caredesk.tickets.enums import AuthorRole, TicketStatus
from caredesk.tickets.models import Message, Ticket


def awaiting_reply_since(ticket: Ticket) -> dt.datetime | None:
    """When the customer's unanswered public message came, if the last public message of
    the conversation is theirs."""
    last = (
        Message.objects.filter(ticket=ticket, is_public=True)
        .order_by("-created_at", "-id")
        .values_list("author_role", "created_at")
        .first()
    )
    if last is None or last[0] != AuthorRole.CUSTOMER:
        return None
    return last[1]


def sla_apply(*, ticket: Ticket, created: bool = False) -> TicketSla | None:
    """(Re)compute the ticket's clocks from its policy: at creation (``created``: nothing
    to look up), and whenever a field a policy looks at changes (a new priority
    recomputes the due times). Times already met or breached stay as they happened."""
    policy = policy_for(ticket)
    sla = None if created else TicketSla.objects.filter(ticket=ticket).first()
    if policy is None:
        if sla is not None:
            sla.delete()
        return None
    if sla is None:
        sla = TicketSla(ticket=ticket, policy=policy)
    sla.policy = policy
    start = ticket.created_at
    fr = policy.first_response_minutes
    sla.first_response_due = business_add(policy, start, fr) if fr is not None else None
    sla.first_response_warn = warn_at(policy, start, fr) if fr is not None else None
    if ticket.first_response_at and not sla.first_response_met:
        sla.first_response_met = ticket.first_response_at
    res = policy.resolution_minutes
    if res is not None:
        total = res + sla.paused_minutes
        sla.resolution_due = business_add(policy, start, total)
        sla.resolution_warn = business_add(
            policy, start, sla.paused_minutes + res * policy.warn_at_percent / 100
        )
    else:
        sla.resolution_due = sla.resolution_warn = None
    next_response(sla, policy, ticket)
    sla.save()
    return sla


def resolution_times(
    policy: SlaPolicy, start: dt.datetime, paused: float
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Resolution due and warning times: the target plus the time spent paused."""
    res = policy.resolution_minutes
    if res is None:
        return None, None
    warn_after = paused + res * policy.warn_at_percent / 100
    return business_add(policy, start, res + paused), business_add(policy, start, warn_after)


def resolution_clock(sla: TicketSla, policy: SlaPolicy, start: dt.datetime) -> None:
    sla.resolution_due, sla.resolution_warn = resolution_times(policy, start, sla.paused_minutes)


def next_response(sla: TicketSla, policy: SlaPolicy, ticket: Ticket) -> None:
    nr = policy.next_response_minutes
    since = awaiting_reply_since(ticket) if ticket.first_response_at else None
    if nr is None or since is None:
        sla.next_response_due = sla.next_response_warn = None
        return
    sla.next_response_due = business_add(policy, since, nr)
    sla.next_response_warn = warn_at(policy, since, nr)


def sla_on_message(*, ticket: Ticket, message: Message) -> TicketSla | None:
    """An agent's public reply meets the first (and the pending next) response; a
    customer's public message starts the next-response clock. Returns the clocks."""
    sla = TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()
    if sla is None or not message.is_public:
        return sla
    if message.author_role == AuthorRole.AGENT:
        if sla.first_response_met is None:
            sla.first_response_met = message.created_at
        if sla.next_response_due is not None and sla.next_response_met is None:
            sla.next_response_met = message.created_at
    elif message.author_role == AuthorRole.CUSTOMER and sla.first_response_met is not None:
        nr = sla.policy.next_response_minutes
        if nr is not None:
            sla.next_response_due = business_add(sla.policy, message.created_at, nr)
            sla.next_response_warn = warn_at(sla.policy, message.created_at, nr)
            sla.next_response_met = sla.next_response_breached = None
            sla.next_response_warned = None
    sla.save()
    return sla


def sla_on_status(*, ticket: Ticket, old: str, new: str, at: dt.datetime) -> None:
    """Pending stops the resolution clock (when the policy says so) and leaving it moves
    the due time by the business time spent waiting; solving meets it; reopening a
    solved ticket runs it again."""
    sla = TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()
    if sla is None or old == new:
        return
    policy = sla.policy
    if new == TicketStatus.PENDING and policy.pause_when_pending and sla.paused_since is None:
        sla.paused_since = at
    elif old == TicketStatus.PENDING and sla.paused_since is not None:
        sla.paused_minutes += max(0.0, business_between(policy, sla.paused_since, at))
        sla.paused_since = None
        resolution_clock(sla, policy, ticket.created_at)
    if new in (TicketStatus.SOLVED, TicketStatus.CLOSED) and sla.resolution_met is None:
        sla.resolution_met = at
    if old in (TicketStatus.SOLVED, TicketStatus.CLOSED) and new not in (
        TicketStatus.SOLVED, TicketStatus.CLOSED,
    ):  # fmt: skip
        sla.resolution_met = None
    sla.save()


def sla_stop(*, ticket: Ticket) -> None:
    """Stop the clocks still running (neither met nor breached): they lose their due and
    warning times, so nothing is warned or breached on the ticket again. What was met or
    breached stays as it happened."""
    sla = TicketSla.objects.filter(ticket=ticket).first()
    if sla is None:
        return
    for target in TARGETS:
        if getattr(sla, f"{target}_met") is None and getattr(sla, f"{target}_breached") is None:
            setattr(sla, f"{target}_due", None)
            setattr(sla, f"{target}_warn", None)
    sla.paused_since = None
    sla.save()
