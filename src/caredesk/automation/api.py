"""Automation rules (supervisors and admins) and webhooks (admins) over JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from caredesk.accounts.gates import admin_actor, supervisor_actor
from caredesk.automation.models import Rule, RuleRun, WebhookDelivery, WebhookSubscription
from caredesk.automation.schemas import (
    DeliveryOut,
    RuleIn,
    RuleOut,
    RuleRunOut,
    WebhookIn,
    WebhookOut,
    WebhookWithSecretOut,
)
from caredesk.automation.services.rules import rule_delete, rule_save
from caredesk.automation.services.webhooks import (
    delivery_redeliver,
    subscription_delete,
    subscription_rotate_secret,
    subscription_save,
)
from caredesk.core.api import found_or_404

router = Router(tags=["automation"])


def _rule(rule_id: int) -> Rule:
    return found_or_404(Rule.objects.all(), rule_id, "rule")


@router.get("/rules", response=list[RuleOut])
def rules(request: HttpRequest, trigger: str | None = None) -> list[Rule]:
    """Every rule in the order rules run."""
    supervisor_actor(request)
    found = Rule.objects.order_by("position", "id")
    return list(found.filter(trigger=trigger) if trigger else found)


@router.post("/rules", response={201: RuleOut})
def rule_create(request: HttpRequest, body: RuleIn) -> Status[Rule]:
    supervisor_actor(request)
    return Status(201, rule_save(**body.model_dump()))


@router.get("/rules/{rule_id}", response=RuleOut)
def rule_get(request: HttpRequest, rule_id: int) -> Rule:
    supervisor_actor(request)
    return _rule(rule_id)


@router.put("/rules/{rule_id}", response=RuleOut)
def rule_replace(request: HttpRequest, rule_id: int, body: RuleIn) -> Rule:
    supervisor_actor(request)
    return rule_save(rule=_rule(rule_id), **body.model_dump())


@router.delete("/rules/{rule_id}", response={204: None})
def rule_remove(request: HttpRequest, rule_id: int) -> Status[None]:
    supervisor_actor(request)
    rule_delete(rule=_rule(rule_id))
    return Status(204, None)


@router.get("/rules/{rule_id}/runs", response=list[RuleRunOut])
def rule_runs(request: HttpRequest, rule_id: int, limit: int = 100) -> list[RuleRun]:
    """The rule's latest runs: on which ticket, for which event, what it did."""
    supervisor_actor(request)
    return list(_rule(rule_id).runs.order_by("-at", "-id")[: max(1, min(limit, 500))])


def webhook_out(s: WebhookSubscription, *, with_secret: bool = False) -> dict[str, Any]:
    out = {
        "id": s.pk,
        "name": s.name,
        "url": s.url,
        "events": s.events,
        "active": s.active,
        "allow_private": s.allow_private,
        "secret_hint": s.secret[:6] + "…",
    }
    return out | {"secret": s.secret} if with_secret else out


def _webhook(webhook_id: int) -> WebhookSubscription:
    return found_or_404(WebhookSubscription.objects.all(), webhook_id, "webhook")


@router.get("/webhooks", response=list[WebhookOut])
def webhooks(request: HttpRequest) -> list[dict[str, Any]]:
    admin_actor(request)
    return [webhook_out(s) for s in WebhookSubscription.objects.order_by("name", "id")]


@router.post("/webhooks", response={201: WebhookWithSecretOut})
def webhook_create(request: HttpRequest, body: WebhookIn) -> Status[dict[str, Any]]:
    """Subscribe a URL; the answer carries the signing secret (shown only here and when
    it is rotated)."""
    admin_actor(request)
    s = subscription_save(actor_is_admin=True, **body.model_dump())
    return Status(201, webhook_out(s, with_secret=True))


@router.put("/webhooks/{webhook_id}", response=WebhookOut)
def webhook_replace(request: HttpRequest, webhook_id: int, body: WebhookIn) -> dict[str, Any]:
    admin_actor(request)
    s = subscription_save(
        subscription=_webhook(webhook_id), actor_is_admin=True, **body.model_dump()
    )
    return webhook_out(s)


@router.delete("/webhooks/{webhook_id}", response={204: None})
def webhook_remove(request: HttpRequest, webhook_id: int) -> Status[None]:
    admin_actor(request)
    subscription_delete(subscription=_webhook(webhook_id))
    return Status(204, None)


@router.post("/webhooks/{webhook_id}/rotate-secret", response=WebhookWithSecretOut)
def webhook_rotate(request: HttpRequest, webhook_id: int) -> dict[str, Any]:
    admin_actor(request)
    return webhook_out(
        subscription_rotate_secret(subscription=_webhook(webhook_id)), with_secret=True
    )


@router.get("/webhooks/{webhook_id}/deliveries", response=list[DeliveryOut])
def webhook_deliveries(
    request: HttpRequest, webhook_id: int, status: str | None = None, limit: int = 100
) -> list[WebhookDelivery]:
    """The delivery log, newest first."""
    admin_actor(request)
    rows = _webhook(webhook_id).deliveries.order_by("-created_at", "-id")
    if status:
        rows = rows.filter(status=status)
    return list(rows[: max(1, min(limit, 500))])


@router.post("/deliveries/{delivery_id}/redeliver", response={202: DeliveryOut})
def redeliver(request: HttpRequest, delivery_id: int) -> Status[WebhookDelivery]:
    """Send a delivery's payload again, as a new delivery."""
    admin_actor(request)
    objects = WebhookDelivery.objects.select_related("subscription")
    found = found_or_404(objects, delivery_id, "delivery")
    return Status(202, delivery_redeliver(delivery=found))
