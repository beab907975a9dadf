"""Rules and webhooks against the real database (and a real HTTP receiver)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.automation.models import DeliveryStatus, Rule, RuleRun, WebhookDelivery
from caredesk.automation.services.engine import Event, automation_fire
from caredesk.automation.services.rules import rule_save
from caredesk.automation.services.timers import time_rules_run, timers_run
from caredesk.automation.services.webhooks import (
    MAX_ATTEMPTS,
    subscription_save,
    webhook_deliver,
    webhooks_due,
)
from caredesk.channels.models import OutboundMessage
from caredesk.core.errors import ValidationFailed
from caredesk.notifications.models import Notification
from caredesk.sla.models import SlaPolicy
from caredesk.surveys.services import survey_response_record
from caredesk.tickets.enums import EventKind
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Ticket, TicketEvent
from caredesk.tickets.services import message_add, ticket_update

pytestmark = pytest.mark.django_db


def rule(
    trigger: str, actions: list[dict[str, Any]], *conditions: dict[str, Any], **kw: Any
) -> Rule:
    return rule_save(
        name=kw.pop("name", f"rule {Rule.objects.count() + 1}"),
        trigger=trigger,
        conditions={"match": kw.pop("match", "all"), "conditions": list(conditions)},
        actions=actions,
        **kw,
    )


def test_a_rule_on_new_tickets_acts_and_says_so_in_the_history() -> None:
    rule(
        "ticket.created",
        [
            {"type": "set", "field": "priority", "value": "urgent"},
            {"type": "add_tags", "tags": ["outage"]},
        ],
        {"field": "subject", "op": "contains", "value": "down"},
        name="Outages are urgent",
    )
    hit = ticket_make(subject="Everything is down")
    miss = ticket_make(subject="A question about invoices")

    hit.refresh_from_db()
    assert hit.priority == "urgent"
    assert list(hit.tags.values_list("name", flat=True)) == ["outage"]
    changes = TicketEvent.objects.filter(ticket=hit, kind=EventKind.CHANGED)
    assert {(e.field, e.via) for e in changes} == {
        ("priority", "rule: Outages are urgent"),
        ("tags", "rule: Outages are urgent"),
    }
    log = TicketEvent.objects.get(ticket=hit, kind=EventKind.RULE)
    assert log.field == "Outages are urgent"
    assert log.new_value == "set priority to urgent; add tags outage"
    assert Ticket.objects.get(pk=miss.pk).priority == "normal"
    assert RuleRun.objects.filter(ticket=miss).count() == 0


def test_rules_that_trigger_each_other_each_run_once() -> None:
    up = rule(
        "ticket.updated",
        [{"type": "set", "field": "priority", "value": "urgent"}],
        {"field": "priority", "op": "changed_to", "value": "high"},
    )
    down = rule(
        "ticket.updated",
        [{"type": "set", "field": "priority", "value": "high"}],
        {"field": "priority", "op": "changed_to", "value": "urgent"},
    )
    selfish = rule("ticket.updated", [{"type": "add_tags", "tags": ["touched"]}])
    ticket = ticket_make()

    ticket_update(ticket=ticket, actor=UserFactory(), changes={"priority": "high"})

    ticket.refresh_from_db()
    # high (agent) -> urgent (up) -> high (down); up does not run again in its own cascade
    assert ticket.priority == "high"
    assert RuleRun.objects.filter(rule=up).count() == 1
    assert RuleRun.objects.filter(rule=down).count() == 1
    # "selfish" re-triggers on every change: it ran for the agent's change and once in
    # each rule's cascade, never inside its own
    assert RuleRun.objects.filter(rule=selfish).count() == 3
    assert list(ticket.tags.values_list("name", flat=True)) == ["touched"]


def test_a_rule_runs_at_most_once_per_event() -> None:
    tagger = rule("message.customer", [{"type": "add_tags", "tags": ["replied"]}])
    ticket = ticket_make()
    event = Event("message.customer", ticket.pk, key="message:123")
    automation_fire(event=event)
    automation_fire(event=event)
    assert RuleRun.objects.filter(rule=tagger, ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.RULE).count() == 1


def test_a_customer_threatening_to_cancel_is_escalated() -> None:
    retention = TeamFactory(name="Retention")
    lead = UserFactory(role=Role.SUPERVISOR)
    retention.members.add(lead)
    rule(
        "message.customer",
        [{"type": "escalate", "team": retention.pk, "priority": "high"}],
        {"field": "message.text", "op": "contains", "value": "cancel"},
    )
    agent = UserFactory()
    ticket = ticket_make(assignee=agent)
    message_add(ticket=ticket, author=agent, text="We are looking into it.")
    message_add(ticket=ticket, author=None, author_role="customer", text="Fine.")
    ticket.refresh_from_db()
    assert ticket.team_id is None

    message_add(ticket=ticket, author=None, author_role="customer", text="I will CANCEL.")

    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee, ticket.priority) == (retention, None, "high")
    assert "escalated" in ticket.tags.values_list("name", flat=True)
    note = Notification.objects.get(user=lead)
    assert note.kind == "escalated"
    assert note.ticket == ticket


def test_a_failing_action_is_logged_and_the_others_still_run() -> None:
    leaver = UserFactory()
    rule(
        "ticket.created",
        [{"type": "assign", "agent": leaver.pk}, {"type": "add_tags", "tags": ["triaged"]}],
    )
    leaver.is_active = False
    leaver.save()
    ticket = ticket_make()
    run = RuleRun.objects.get(ticket=ticket)
    assert run.done[0].startswith("not assigned")
    assert "triaged" in ticket.tags.values_list("name", flat=True)


def test_an_automatic_reply_fills_placeholders_and_goes_to_the_outbox() -> None:
    rule(
        "ticket.created",
        [{"type": "reply", "text": "Hello {{customer.first_name}}, we got #{{ticket.id}}."}],
        {"field": "channel", "op": "is", "value": "email"},
    )
    ticket = ticket_make(channel="email")
    reply = ticket.messages.order_by("-id").first()
    assert reply is not None
    assert reply.author_role == "system"
    assert reply.text == f"Hello {ticket.requester.first_name}, we got #{ticket.pk}."
    assert OutboundMessage.objects.filter(message=reply).exists()
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # an automatic reply is not a response


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"trigger": "ticket.deleted"}, "trigger must be one of"),
        ({"conditions": {"conditions": [{"field": "x", "op": "is", "value": 1}]}}, "Unknown"),
        ({"actions": [{"type": "route", "team": 999999}]}, "no team with id 999999"),
        ({"actions": [{"type": "assign", "agent": 999999}]}, "no active agent"),
        ({"name": "  "}, "needs a name"),
        ({"trigger": "time"}, "needs a condition on hours"),
    ],
)
def test_a_rule_that_could_not_run_is_refused(fields: dict[str, Any], message: str) -> None:
    good: dict[str, Any] = {
        "name": "ok",
        "trigger": "ticket.created",
        "conditions": {},
        "actions": [{"type": "add_tags", "tags": ["x"]}],
    }
    with pytest.raises(ValidationFailed, match=message):
        rule_save(**(good | fields))
    assert Rule.objects.count() == 0


def test_time_rule_runs_once_per_stretch_of_status() -> None:
    rule(
        "time",
        [{"type": "set", "field": "status", "value": "solved"}],
        {"field": "status", "op": "is", "value": "pending"},
        {"field": "hours_in_status", "op": "gte", "value": 72},
        name="Solve after three quiet days",
    )
    agent = UserFactory()
    waiting = ticket_make()
    ticket_update(ticket=waiting, actor=agent, changes={"status": "pending"})
    fresh = ticket_make()
    ticket_update(ticket=fresh, actor=agent, changes={"status": "pending"})
    long_ago = timezone.now() - dt.timedelta(days=4)
    Ticket.objects.filter(pk=waiting.pk).update(status_changed_at=long_ago)

    assert time_rules_run() == 1
    assert time_rules_run() == 0
    waiting.refresh_from_db()
    fresh.refresh_from_db()
    assert (waiting.status, fresh.status) == ("solved", "pending")


def test_sla_warnings_and_breaches_notify_and_trigger_rules() -> None:
    SlaPolicy.objects.create(name="All", first_response_minutes=60, warn_at_percent=75)
    managers = TeamFactory(name="Managers")
    rule("sla.breach", [{"type": "escalate", "team": managers.pk}])
    agent = UserFactory()
    start = timezone.now()
    ticket = ticket_make(assignee=agent, created_at=start)

    warned = timers_run(now=start + dt.timedelta(minutes=50))
    assert (warned.warnings, warned.breaches) == (1, 0)
    assert Notification.objects.get(user=agent).kind == "sla_warning"
    breached = timers_run(now=start + dt.timedelta(minutes=61))
    assert breached.breaches == 1
    ticket.refresh_from_db()
    assert ticket.team == managers
    assert timers_run(now=start + dt.timedelta(minutes=62)).breaches == 0


def subscription(receiver_url: str, events: list[str], **kw: Any) -> Any:
    return subscription_save(
        name="CRM", url=receiver_url, events=events, allow_private=True, actor_is_admin=True, **kw
    )


def test_webhooks_are_signed_and_sent_after_the_commit(
    receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sub = subscription(receiver.url, ["ticket.created"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_make(subject="Webhook me")
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    body, headers = request["body"], request["headers"]
    stamp = headers["X-Caredesk-Timestamp"]
    expected = hmac.new(sub.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    assert headers["X-Caredesk-Signature"] == "sha256=" + expected.hexdigest()
    payload = json.loads(body)
    assert payload["event"] == "ticket.created"
    assert payload["ticket"]["id"] == ticket.pk
    assert payload["ticket"]["subject"] == "Webhook me"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_failed_delivery_is_retried_with_backoff(
    receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscription(receiver.url, ["ticket.created"])
    receiver.statuses = [503]
    with django_capture_on_commit_callbacks(execute=True):
        ticket_make()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error[:8]) == (
        "pending",
        1,
        "HTTP 503",
    )
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 50 < wait <= 60
    assert webhooks_due() == 0  # not due yet
    assert webhooks_due(now=timezone.now() + dt.timedelta(seconds=61)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.requests) == 2


def test_a_delivery_gives_up_after_its_attempts(receiver: Any) -> None:
    sub = subscription(receiver.url, ["ticket.created"])
    receiver.statuses = [500] * MAX_ATTEMPTS
    delivery = WebhookDelivery.objects.create(
        subscription=sub, event="ticket.created", payload={"x": 1}
    )
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        webhook_deliver(delivery_id=delivery.pk, now=moment)
        delivery.refresh_from_db()
        moment = delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)


def test_a_leased_delivery_is_not_sent_twice(receiver: Any) -> None:
    sub = subscription(receiver.url, ["ticket.created"])
    delivery = WebhookDelivery.objects.create(
        subscription=sub,
        event="ticket.created",
        payload={},
        locked_until=timezone.now() + dt.timedelta(seconds=10),
    )
    attempt = webhook_deliver(delivery_id=delivery.pk)
    assert attempt.outcome == "busy"
    assert 0 < attempt.wait_seconds <= 10
    assert receiver.requests == []


def test_private_addresses_need_an_admin(receiver: Any) -> None:
    with pytest.raises(ValidationFailed, match="private"):
        subscription_save(
            name="x", url=receiver.url, events=["ticket.created"], actor_is_admin=True
        )
    with pytest.raises(ValidationFailed, match="Only an admin"):
        subscription_save(
            name="x",
            url=receiver.url,
            events=["ticket.created"],
            allow_private=True,
            actor_is_admin=False,
        )
    with pytest.raises(ValidationFailed, match="events must be"):
        subscription_save(
            name="x", url="https://example.com/", events=["everything"], actor_is_admin=True
        )


def test_a_delivery_to_an_address_no_longer_allowed_fails_without_sending(
    receiver: Any,
) -> None:
    sub = subscription(receiver.url, ["ticket.created"])
    type(sub).objects.filter(pk=sub.pk).update(allow_private=False)
    ticket = ticket_make()
    delivery = WebhookDelivery.objects.create(
        subscription=sub, event="ticket.created", payload={}, ticket_id=ticket.pk
    )
    assert webhook_deliver(delivery_id=delivery.pk).outcome == "failed"
    delivery.refresh_from_db()
    assert "private" in delivery.last_error
    assert receiver.requests == []
    event = ticket.events.get(field="webhook_delivery")
    assert event.new_value.startswith("ticket.created to ")
    assert "private" in event.new_value


def test_a_poor_survey_answer_triggers_its_rule_but_imported_history_does_not() -> None:
    rule(
        "survey.answered",
        [{"type": "add_tags", "tags": ["unhappy"]}],
        {"field": "survey.kind", "op": "is", "value": "csat"},
        {"field": "survey.score", "op": "lte", "value": 2},
    )
    unhappy, imported, happy = ticket_make(), ticket_make(), ticket_make()
    for ticket, score, live in ((unhappy, 1, True), (imported, 1, False), (happy, 5, True)):
        survey_response_record(
            kind="csat",
            customer=ticket.requester,
            score=score,
            responded_at=timezone.now(),
            ticket=ticket,
            live=live,
        )
    tagged = [list(t.tags.values_list("name", flat=True)) for t in (unhappy, imported, happy)]
    assert tagged == [["unhappy"], [], []]
