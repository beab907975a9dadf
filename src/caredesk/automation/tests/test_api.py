from __future__ import annotations

from typing import Any

import pytest

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.automation.models import Rule, WebhookDelivery
from caredesk.customers.factories import customer_user
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db

RULE = {
    "name": "VIPs first",
    "trigger": "ticket.created",
    "conditions": {
        "match": "all",
        "conditions": [{"field": "subject", "op": "contains", "value": "vip"}],
    },
    "actions": [{"type": "set", "field": "priority", "value": "high"}],
}


def test_a_supervisor_manages_rules_and_reads_their_runs(api_as: Any) -> None:
    boss = api_as(UserFactory(role=Role.SUPERVISOR))
    created = boss.post("automation/rules", RULE)
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    ticket = ticket_make(subject="VIP customer cannot log in")
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    runs = boss.get(f"automation/rules/{rule_id}/runs").json()
    assert [(r["ticket_id"], r["done"]) for r in runs] == [(ticket.pk, ["set priority to high"])]
    changed = boss.put(f"automation/rules/{rule_id}", {**RULE, "active": False})
    assert changed.json()["active"] is False
    assert ticket_make(subject="another VIP").priority == "normal"
    assert boss.delete(f"automation/rules/{rule_id}").status_code == 204
    assert boss.get(f"automation/rules/{rule_id}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"trigger": "ticket.exploded"}, "trigger"),
        ({"conditions": {"conditions": [{"field": "priority", "op": "gt", "value": 1}]}}, None),
        ({"actions": [{"type": "route", "team": 123456}]}, "actions"),
        ({"actions": [{"type": "webhook"}]}, "actions"),
    ],
)
def test_a_bad_rule_is_a_422_with_the_reason(
    api_as: Any, change: dict[str, Any], field: str | None
) -> None:
    boss = api_as(UserFactory(role=Role.ADMIN))
    answer = boss.post("automation/rules", {**RULE, **change})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["detail"]
    if field:
        assert problem["errors"][0]["field"] == field
    assert Rule.objects.count() == 0


def test_agents_and_customers_cannot_touch_rules_or_webhooks(api_as: Any) -> None:
    for user in (UserFactory(role=Role.AGENT), customer_user()):
        client = api_as(user)
        assert client.get("automation/rules").status_code == 403
        assert client.post("automation/rules", RULE).status_code == 403
        assert client.get("automation/webhooks").status_code == 403
    supervisor = api_as(UserFactory(role=Role.SUPERVISOR))
    assert supervisor.get("automation/webhooks").status_code == 403


def test_an_admin_subscribes_a_webhook_and_reads_the_delivery_log(
    api_as: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = api_as(UserFactory(role=Role.ADMIN))
    refused = admin.post(
        "automation/webhooks", {"name": "CRM", "url": receiver.url, "events": ["ticket.created"]}
    )
    assert refused.status_code == 422
    assert "private" in refused.json()["detail"]
    created = admin.post(
        "automation/webhooks",
        {"name": "CRM", "url": receiver.url, "events": ["ticket.created"], "allow_private": True},
    )
    assert created.status_code == 201
    hook = created.json()
    assert len(hook["secret"]) == 64
    assert "secret" not in admin.get("automation/webhooks").json()[0]
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_make()
    log = admin.get(f"automation/webhooks/{hook['id']}/deliveries").json()
    assert [(d["event"], d["ticket_id"], d["status"]) for d in log] == [
        ("ticket.created", ticket.pk, "delivered")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        again = admin.post(f"automation/deliveries/{log[0]['id']}/redeliver")
    assert again.status_code == 202
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2
    rotated = admin.post(f"automation/webhooks/{hook['id']}/rotate-secret").json()
    assert rotated["secret"] != hook["secret"]
