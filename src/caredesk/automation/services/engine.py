"""Run the rules of an event on its ticket, and tell the webhooks subscribed to it.

Rules run in their order, inside the transaction of the change that caused the event,
so a rule's effect is there the moment the change is. Each rule runs at most once per
event (a RuleRun row per rule, ticket and event), and a rule never runs again inside the
cascade of changes it started, which stops two rules from triggering each other forever;
cascades are cut at MAX_DEPTH. Every change a rule makes is recorded on the ticket with
the rule's name, and each run leaves a line in the ticket's history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from caredesk.accounts.enums import STAFF_ROLES
from caredesk.accounts.models import Team, User
from caredesk.automation.actions import Action
from caredesk.automation.conditions import FIELDS, conditions_match
from caredesk.automation.models import RuleRun, WebhookSubscription
from caredesk.automation.services.rules import ActiveRule, rules_for
from caredesk.automation.services.webhooks import webhook_queue, webhooks_for
from caredesk.core.errors import DomainError
from caredesk.customers.lifecycle import lifecycle_of
from caredesk.customers.selectors import customer_emails, customer_segments
from caredesk.customers.services import crm_settings_get
from caredesk.notifications.models import NotificationKind
from caredesk.notifications.services import notify, supervisors_of, team_members
from caredesk.routing.services import routing_route, ticket_skills_require
from caredesk.tickets.canned import canned_values
from caredesk.tickets.enums import AuthorRole, EventKind
from caredesk.tickets.models import Ticket
from caredesk.tickets.placeholders import fill
from caredesk.tickets.services.events import event_record, events_via
from caredesk.tickets.services.messages import message_add
from caredesk.tickets.services.tickets import ticket_update

logger = logging.getLogger(__name__)

MAX_DEPTH = 5
_cascade: ContextVar[tuple[int, ...]] = ContextVar("caredesk_rule_cascade", default=())


@dataclass(frozen=True)
class Event:
    """Something that happened to a ticket. ``key`` tells this occurrence apart from
    others of the same name on the same ticket (a message id, a version, a due time)."""

    name: str
    ticket_id: int
    key: str
    actor_role: str = AuthorRole.SYSTEM
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    detail: Mapping[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=timezone.now)


def automation_fire(*, event: Event, ticket: Ticket | None = None) -> None:
    """Queue the event's webhooks and run its rules (in the caller's transaction)."""
    subscriptions = webhooks_for(event.name)
    rules = rules_for(event.name)
    if not subscriptions and not rules:
        return
    if ticket is None:
        ticket = Ticket.objects.filter(pk=event.ticket_id).first()
        if ticket is None:
            return
    for subscription_id in subscriptions:
        webhook_queue(subscription_id=subscription_id, event=event, ticket=ticket)
    rules_run(event=event, ticket=ticket, rules=rules)


def rules_run(*, event: Event, ticket: Ticket, rules: list[ActiveRule]) -> list[int]:
    """Run the matching rules; returns the ids of those that ran."""

    chain = _cascade.get()
    if len(chain) >= MAX_DEPTH:
        event_record(
            ticket=ticket,
            actor=None,
            kind=EventKind.RULE,
            field="automation",
            new=f"Stopped: {MAX_DEPTH} rules triggered each other in a row.",
        )
        return []
    ran = []
    facts = TicketFacts(ticket, event)  # computed lazily, again only after a rule acted
    for rule in rules:
        if rule.id in chain:
            continue  # a rule does not trigger itself, however indirectly
        if not conditions_match(rule.conditions, facts):
            continue
        if _rule_apply(rule=rule, ticket=ticket, event=event, chain=chain):
            ran.append(rule.id)
            ticket.refresh_from_db()
            facts = TicketFacts(ticket, event)
    return ran


def _rule_apply(*, rule: ActiveRule, ticket: Ticket, event: Event, chain: tuple[int, ...]) -> bool:
    try:
        with transaction.atomic():
            run = RuleRun.objects.create(
                rule_id=rule.id, ticket=ticket, event_key=event.key[:120], at=timezone.now()
            )
    except IntegrityError:
        return False  # this rule already ran for this event
    token = _cascade.set((*chain, rule.id))
    done: list[str] = []
    errors: list[str] = []
    try:
        with events_via(f"rule: {rule.name}"):
            for action in rule.actions:
                try:
                    with transaction.atomic():
                        done.append(_act(action, ticket=ticket, rule=rule, event=event))
                except DomainError as exc:
                    errors.append(f"{action.describe()}: {exc.message}")
                ticket.refresh_from_db()
    finally:
        _cascade.reset(token)
    run.done = done
    run.error = "\n".join(errors)
    run.save(update_fields=["done", "error"])
    summary = "; ".join(done) or "nothing to do"
    if errors:
        summary += " (failed: " + "; ".join(errors) + ")"
    event_record(ticket=ticket, actor=None, kind=EventKind.RULE, field=rule.name, new=summary)
    return True


def _act(action: Action, *, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    handler = _HANDLERS[action.type]
    return handler(action, ticket, rule, event)


def _update(ticket: Ticket, changes: dict[str, Any]) -> None:
    ticket_update(ticket=ticket, actor=None, changes=changes)


def _do_set(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    _update(ticket, {action.field: action.value})
    return action.describe()


def _do_assign(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    agent = User.objects.get(pk=action.ids[0])
    if not agent.is_active or agent.role not in STAFF_ROLES:
        return f"not assigned: {agent} is not an active agent"
    _update(ticket, {"assignee": agent})
    return f"assigned to {agent.display_name}"


def _do_unassign(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    _update(ticket, {"assignee": None})
    return "unassigned"


def _do_route(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    team = Team.objects.get(pk=action.ids[0])
    _update(ticket, {"team": team, "assignee": None})
    agent = routing_route(ticket=ticket)
    return f"routed to {team}" + (f", assigned to {agent.display_name}" if agent else "")


def _do_tags(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    names = list(ticket.tags.values_list("name", flat=True))
    wanted = {"-".join(t.strip().lower().split()) for t in action.tags}
    if action.type == "add_tags":
        names += sorted(wanted - set(names))
    else:
        names = [n for n in names if n not in wanted]
    _update(ticket, {"tags": names})
    return action.describe()


def _do_note(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    message_add(
        ticket=ticket,
        author=None,
        author_role=AuthorRole.AGENT,
        is_public=False,
        text=_fill(action.text, ticket),
    )
    return "added a note"


def _do_reply(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    message_add(
        ticket=ticket,
        author=None,
        author_role=AuthorRole.SYSTEM,
        is_public=True,
        text=_fill(action.text, ticket),
    )
    return "sent a message to the customer"


def _do_notify(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    targets: list[User | None]
    if action.to == "assignee":
        targets = [ticket.assignee]
    elif action.to == "team":
        targets = list(team_members(ticket.team))
    elif action.to == "supervisors":
        targets = list(supervisors_of(ticket.team))
    else:
        targets = list(User.objects.filter(pk__in=action.ids))
    sent = notify(
        users=targets, kind=NotificationKind.RULE, text=_fill(action.text, ticket), ticket=ticket
    )
    return f"notified {action.to} ({len(sent)})"


def _do_webhook(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    subscription = WebhookSubscription.objects.get(pk=action.ids[0])
    webhook_queue(subscription_id=subscription.pk, event=event, ticket=ticket, rule_id=rule.id)
    return f"called webhook {subscription.name}"


def _do_escalate(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    team = Team.objects.get(pk=action.ids[0])
    names = list(ticket.tags.values_list("name", flat=True))
    changes: dict[str, Any] = {"team": team, "assignee": None, "tags": [*names, "escalated"]}
    if action.value:
        changes["priority"] = action.value
    _update(ticket, changes)
    text = (
        _fill(action.text, ticket) if action.text else f"Escalated: #{ticket.pk} {ticket.subject}"
    )
    notify(users=supervisors_of(team), kind=NotificationKind.ESCALATED, text=text, ticket=ticket)
    agent = routing_route(ticket=ticket)
    return f"escalated to {team}" + (f", assigned to {agent.display_name}" if agent else "")


def _do_require_skills(action: Action, ticket: Ticket, rule: ActiveRule, event: Event) -> str:
    skills = ticket_skills_require(ticket=ticket, skill_ids=action.ids)
    routing_route(ticket=ticket)
    return "requires " + ", ".join(str(s) for s in skills)


_HANDLERS: dict[str, Callable[[Action, Ticket, ActiveRule, Event], str]] = {
    "set": _do_set,
    "assign": _do_assign,
    "unassign": _do_unassign,
    "route": _do_route,
    "add_tags": _do_tags,
    "remove_tags": _do_tags,
    "note": _do_note,
    "reply": _do_reply,
    "notify": _do_notify,
    "webhook": _do_webhook,
    "escalate": _do_escalate,
    "require_skills": _do_require_skills,
}


def _fill(text: str, ticket: Ticket) -> str:
    return fill(text, canned_values(ticket=ticket, agent=ticket.assignee))


class TicketFacts(Mapping[str, Any]):
    """The facts conditions look at, computed only when a condition asks for them."""

    def __init__(self, ticket: Ticket, event: Event) -> None:
        self.ticket = ticket
        self.event = event
        self.now = timezone.now()
        self._cache: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._cache:
            self._cache[key] = self._compute(key)
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter([*FIELDS, "changed"])

    def __len__(self) -> int:
        return len(FIELDS) + 1

    def _hours(self, since: dt.datetime | None) -> float | None:
        return None if since is None else (self.now - since).total_seconds() / 3600

    def _compute(self, key: str) -> Any:
        t, e = self.ticket, self.event
        if key.startswith("custom_fields."):
            return t.custom_fields.get(key.split(".", 1)[1])
        simple: dict[str, Callable[[], Any]] = {
            "changed": lambda: dict(e.changes),
            "status": lambda: t.status,
            "priority": lambda: t.priority,
            "type": lambda: t.type,
            "channel": lambda: t.channel,
            "subject": lambda: t.subject,
            "team": lambda: t.team.name if t.team else "",
            "assignee": lambda: t.assignee.email if t.assignee else "",
            "organization": lambda: t.organization.name if t.organization else "",
            "requester.email": lambda: _requester_email(t),
            "customer.lifecycle": lambda: _lifecycle(t),
            "customer.segments": lambda: _segments(t),
            "tags": lambda: list(t.tags.values_list("name", flat=True)),
            "actor": lambda: e.actor_role,
            "message.text": lambda: e.detail.get("text", ""),
            "message.automatic": lambda: e.detail.get("automatic", ""),
            "hours_since_created": lambda: self._hours(t.created_at),
            "hours_since_updated": lambda: self._hours(t.updated_at),
            "hours_in_status": lambda: self._hours(t.status_changed_at or t.updated_at),
            "sla.target": lambda: e.detail.get("target", ""),
            "survey.kind": lambda: e.detail.get("survey_kind", ""),
            "survey.score": lambda: e.detail.get("score"),
        }
        if key not in simple:
            raise KeyError(key)
        return simple[key]()


def _requester_email(ticket: Ticket) -> str:
    return customer_emails(customer_ids=[ticket.requester_id]).get(ticket.requester_id, "")


def _lifecycle(ticket: Ticket) -> str:
    return lifecycle_of(
        last_purchase_at=ticket.requester.last_purchase_at,
        now=timezone.now(),
        window_days=crm_settings_get().recency_window_days,
    )


def _segments(ticket: Ticket) -> list[str]:
    return [s.name for s in customer_segments(customer=ticket.requester)]
