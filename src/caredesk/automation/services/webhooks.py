"""Outbound webhooks: subscriptions, the delivery outbox, and sending with retries.

A delivery row is written in the transaction of the event (so a rolled-back change
sends nothing and a committed one is never forgotten), then sent by a job after the
commit, never inside the request, through the leased outbox of core/outbox.py: a lease
on the row before it sends, so two workers never send the same delivery at once (a
worker that dies mid-send leaves a lease that expires); retries back off from a minute
to twelve hours; after MAX_ATTEMPTS, or an address no longer allowed, the delivery is
failed with its reason, recorded on the ticket.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.automation.errors import AutomationErrorCode
from caredesk.automation.models import (
    WEBHOOK_EVENTS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from caredesk.automation.tasks import webhook_deliver_task
from caredesk.core.cache import cache_clear_now_and_on_commit, cache_forget, cached
from caredesk.core.errors import ValidationFailed
from caredesk.core.jobs import job_enqueue
from caredesk.core.outbox import Delivered, LeasedOutbox, Outcome, TryFailed, Undeliverable
from caredesk.core.webhook_http import (
    BACKOFF,
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AddressRefused,
    post,
    resolve,
    signature,
    url_check,
)
from caredesk.tickets.enums import EventKind
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import event_record

if TYPE_CHECKING:
    from caredesk.automation.services.engine import Event

CACHE_SECONDS = 60
SUBSCRIPTION_FIELDS = frozenset({"name", "url", "events", "active", "allow_private"})


def _cache_key(event: str) -> str:
    return f"caredesk:automation:webhooks:{event}"


def webhooks_for(event: str) -> list[int]:
    """Ids of the active subscriptions to an event (cached)."""

    def load() -> list[int]:
        active = WebhookSubscription.objects.filter(active=True).only("pk", "events")
        return [s.pk for s in active if event in (s.events or [])]

    return cached(_cache_key(event), load, CACHE_SECONDS, local=True)


def webhooks_cache_clear() -> None:
    cache_forget(_cache_key(e) for e in WEBHOOK_EVENTS)


@transaction.atomic
def subscription_save(
    *, subscription: WebhookSubscription | None = None, actor_is_admin: bool, **fields: Any
) -> WebhookSubscription:
    """Create or change a subscription. A URL on a loopback, link-local or private
    address is refused unless ``allow_private`` is set, which only an admin may do."""
    subscription = subscription or WebhookSubscription(secret=secrets.token_hex(32))
    for name, value in fields.items():
        if name not in SUBSCRIPTION_FIELDS:
            raise ValidationFailed(
                AutomationErrorCode.UNKNOWN_FIELD,
                _("A webhook has no field %(name)s.") % {"name": repr(name)},
                field=name,
            )
        setattr(subscription, name, value)
    if subscription.allow_private and not actor_is_admin:
        raise ValidationFailed(
            AutomationErrorCode.ADMIN_ONLY,
            _("Only an admin may allow private addresses."),
            field="allow_private",
        )
    name = " ".join(str(subscription.name or "").split())
    if not name or len(name) > 120:
        raise ValidationFailed(
            AutomationErrorCode.INVALID_NAME, _("A webhook needs a name."), field="name"
        )
    subscription.name = name
    events = subscription.events
    if not isinstance(events, list) or any(e not in WEBHOOK_EVENTS for e in events):
        raise ValidationFailed(
            AutomationErrorCode.INVALID_EVENTS,
            _("events must be a list of: %(choices)s.") % {"choices": ", ".join(WEBHOOK_EVENTS)},
            field="events",
        )
    subscription.events = sorted(set(events))
    try:
        _scheme, host, port = url_check(str(subscription.url or ""))
        if len(subscription.url) > 500:
            raise AddressRefused("The URL is longer than 500 characters.")
        resolve(host, port, allow_private=subscription.allow_private)
    except AddressRefused as exc:
        raise ValidationFailed(AutomationErrorCode.INVALID_URL, str(exc), field="url") from None
    subscription.save()
    cache_clear_now_and_on_commit(webhooks_cache_clear)
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Unsubscribe; the delivery log goes with it."""
    subscription.delete()
    cache_clear_now_and_on_commit(webhooks_cache_clear)


def subscription_rotate_secret(*, subscription: WebhookSubscription) -> WebhookSubscription:
    subscription.secret = secrets.token_hex(32)
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription


def payload_of(*, event: Event, ticket: Ticket) -> dict[str, Any]:
    """What a receiver gets: the event, what changed, and the ticket as it is now."""
    return {
        "event": event.name,
        "occurred_at": event.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "actor": event.actor_role,
        "changes": {k: [_plain(o), _plain(n)] for k, (o, n) in event.changes.items()},
        "detail": {k: _plain(v) for k, v in event.detail.items()},
        "ticket": {
            "id": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "type": ticket.type,
            "channel": ticket.channel,
            "requester_id": ticket.requester_id,
            "organization_id": ticket.organization_id,
            "assignee_id": ticket.assignee_id,
            "team_id": ticket.team_id,
            "tags": sorted(ticket.tags.values_list("name", flat=True)),
            "created_at": ticket.created_at.isoformat(),
            "updated_at": ticket.updated_at.isoformat(),
        },
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return str(value)


def webhook_queue(
    *, subscription_id: int, event: Event, ticket: Ticket, rule_id: int | None = None
) -> WebhookDelivery:
    """Write the delivery row now; send it after the commit."""

    delivery = WebhookDelivery.objects.create(
        subscription_id=subscription_id,
        rule_id=rule_id,
        event=event.name,
        ticket_id=ticket.pk,
        payload=payload_of(event=event, ticket=ticket),
        next_attempt_at=timezone.now(),
    )
    job_enqueue(webhook_deliver_task, delivery.pk)
    return delivery


def _send(delivery: WebhookDelivery) -> Delivered:
    """POST the signed payload; a 2xx answer delivers it."""
    subscription = delivery.subscription
    timeout = float(settings.CAREDESK_WEBHOOK_TIMEOUT)
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    stamp = str(int(timezone.now().timestamp()))
    headers = {
        SIGNATURE_HEADER: signature(subscription.secret, stamp, body),
        TIMESTAMP_HEADER: stamp,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }
    try:
        response = post(
            subscription.url,
            body,
            headers,
            timeout=timeout,
            allow_private=subscription.allow_private,
        )
    except AddressRefused as exc:
        raise Undeliverable(str(exc), last_status_code=None) from exc
    except OSError as exc:  # refused, reset, timed out, TLS
        raise TryFailed(f"{type(exc).__name__}: {exc}", last_status_code=None) from exc
    code = response.status
    if not 200 <= code < 300:
        raise TryFailed(f"HTTP {code}: {response.body[:500]}", last_status_code=code)
    return Delivered(f"HTTP {code}", {"last_status_code": code})


def _delivery_done(delivery: WebhookDelivery, outcome: Outcome) -> None:
    """A delivery that failed for good is recorded on its ticket."""
    if outcome.outcome == "failed" and delivery.ticket_id is not None:
        ticket = Ticket.objects.filter(pk=delivery.ticket_id).first()
        if ticket is not None:
            event_record(
                ticket=ticket,
                actor=None,
                kind=EventKind.CHANGED,
                field="webhook_delivery",
                new=f"{delivery.event} to {delivery.subscription.name} failed: {outcome.detail}"[
                    :2000
                ],
            )


# The lease outlasts the request's timeout; retries back off from a minute to 12 hours.
OUTBOX = LeasedOutbox(
    model=WebhookDelivery,
    send=_send,
    pending=DeliveryStatus.PENDING,
    sent=DeliveryStatus.DELIVERED,
    failed=DeliveryStatus.FAILED,
    backoff=BACKOFF,
    lease_seconds=lambda: float(settings.CAREDESK_WEBHOOK_TIMEOUT) + 5,
    lease_field="locked_until",
    sent_at_field="delivered_at",
    related=("subscription",),
    on_done=_delivery_done,
)
MAX_ATTEMPTS = OUTBOX.max_attempts


def webhook_deliver(*, delivery_id: int, now: dt.datetime | None = None) -> Outcome:
    """Try to send one delivery now, if it is due and nobody else is sending it."""
    return OUTBOX.attempt(row_id=delivery_id, now=now)


def webhooks_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send the deliveries that are due and not leased (first tries whose job was lost,
    and retries); returns how many were tried."""
    return OUTBOX.run_due(now=now, limit=limit)


def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed or delivered payload again (an admin's button)."""

    copy = WebhookDelivery.objects.create(
        subscription=delivery.subscription,
        rule=delivery.rule,
        event=delivery.event,
        ticket_id=delivery.ticket_id,
        payload=delivery.payload,
    )
    job_enqueue(webhook_deliver_task, copy.pk)
    return copy
