"""The admin screens of rules, webhooks, SLA, routing, and the notifications page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.automation.models import Rule, WebhookSubscription
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.notifications.services import notify
from caredesk.routing.models import AgentProfile, TeamRouting
from caredesk.sla.models import BusinessCalendar, SlaPolicy

pytestmark = pytest.mark.django_db

ADMIN_ONLY = ["/manage/business-hours/", "/manage/sla-policies/", "/manage/webhooks/"]
SUPERVISORS = ["/manage/", "/manage/rules/", "/manage/routing/", "/manage/skills/"]


def test_who_may_open_which_screen() -> None:
    admin = signed_in(UserFactory(role=Role.ADMIN))
    supervisor = signed_in(UserFactory(role=Role.SUPERVISOR))
    agent = signed_in(UserFactory(role=Role.AGENT))
    customer = signed_in(customer_user())
    for path in ADMIN_ONLY + SUPERVISORS:
        assert admin.get(path).status_code == 200, path
        assert agent.get(path).status_code == 403, path
        assert customer.get(path).status_code == 403, path
        assert Client().get(path).status_code == 302, path
    for path in SUPERVISORS:
        assert supervisor.get(path).status_code == 200, path
    for path in ADMIN_ONLY:
        assert supervisor.get(path).status_code == 403, path
    for path in ("/notifications/", "/me/status"):
        assert agent.get(path).status_code == 200, path
        assert customer.get(path).status_code == 403, path


def post_rule(client: Client, **fields: Any) -> Any:
    data = {
        "name": "Tag VIPs",
        "trigger": "ticket.created",
        "conditions": json.dumps(
            {"conditions": [{"field": "subject", "op": "contains", "value": "vip"}]}
        ),
        "actions": json.dumps([{"type": "add_tags", "tags": ["vip"]}]),
        "position": "10",
        "active": "on",
        "description": "",
    }
    return client.post("/manage/rules/", data | fields)


def test_a_supervisor_writes_a_rule_and_a_bad_one_stays_on_the_form() -> None:
    client = signed_in(UserFactory(role=Role.SUPERVISOR))
    assert post_rule(client).status_code == 302
    rule = Rule.objects.get()
    assert rule.actions == [{"type": "add_tags", "tags": ["vip"]}]
    bad = post_rule(client, actions=json.dumps([{"type": "route", "team": 999}]))
    assert bad.status_code == 422
    assert b"no team with id 999" in bad.content
    broken = post_rule(client, conditions="{not json")
    assert broken.status_code == 422
    assert Rule.objects.count() == 1
    page = client.get(f"/manage/rules/{rule.pk}/")
    assert b"Latest runs" in page.content


def test_an_admin_adds_a_webhook_sees_its_secret_once_and_its_log() -> None:
    client = signed_in(UserFactory(role=Role.ADMIN))
    refused = client.post(
        "/manage/webhooks/",
        {"name": "CRM", "url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]},
    )
    assert refused.status_code == 422
    assert b"private" in refused.content
    saved = client.post(
        "/manage/webhooks/",
        {
            "name": "CRM",
            "url": "http://127.0.0.1:9/hook",
            "events": ["ticket.created", "sla.breach"],
            "active": "on",
            "allow_private": "on",
        },
        follow=True,
    )
    hook = WebhookSubscription.objects.get()
    assert hook.secret.encode() in saved.content
    assert hook.events == ["sla.breach", "ticket.created"]
    assert client.get(f"/manage/webhooks/{hook.pk}/").content.count(hook.secret.encode()) == 0
    assert client.get(f"/manage/webhooks/{hook.pk}/deliveries/").status_code == 200


def test_an_admin_defines_business_hours_and_a_policy() -> None:
    client = signed_in(UserFactory(role=Role.ADMIN))
    hours = json.dumps([{"days": ["mon", "tue"], "start": "09:00", "end": "17:00"}])
    bad = client.post(
        "/manage/business-hours/",
        {"name": "Office", "timezone": "Mars/Olympus", "hours": hours, "holidays": "[]"},
    )
    assert bad.status_code == 422
    ok = client.post(
        "/manage/business-hours/",
        {"name": "Office", "timezone": "Europe/Berlin", "hours": hours, "holidays": "[]"},
    )
    assert ok.status_code == 302
    calendar = BusinessCalendar.objects.get()
    policy = client.post(
        "/manage/sla-policies/",
        {
            "name": "Urgent",
            "position": "0",
            "active": "on",
            "conditions": json.dumps({"priority": ["urgent"]}),
            "calendar": str(calendar.pk),
            "first_response_minutes": "60",
            "warn_at_percent": "75",
            "pause_when_pending": "on",
        },
    )
    assert policy.status_code == 302
    assert SlaPolicy.objects.get().calendar == calendar


def test_routing_screen_and_the_top_bar_switch() -> None:
    agent = UserFactory()
    team = TeamFactory()
    team.members.add(agent)
    boss = signed_in(UserFactory(role=Role.SUPERVISOR))
    assert agent.display_name.encode() in boss.get("/manage/routing/").content
    boss.post(
        f"/manage/routing/teams/{team.pk}",
        {f"team{team.pk}-strategy": "round_robin", f"team{team.pk}-rebalance_on_offline": "on"},
    )
    assert TeamRouting.objects.get(team=team).strategy == "round_robin"
    boss.post(
        f"/manage/routing/agents/{agent.pk}",
        {f"agent{agent.pk}-availability": "away", f"agent{agent.pk}-capacity": "4"},
    )
    profile = AgentProfile.objects.get(user=agent)
    assert (profile.availability, profile.capacity) == ("away", 4)
    me = signed_in(agent)
    notify(users=[agent], kind="rule", text="Please look")
    status = me.post("/me/status", {"availability": "online"}, HTTP_HX_REQUEST="true")
    assert b'<span class="badge">1</span>' in status.content
    profile.refresh_from_db()
    assert profile.availability == "online"
    page = me.get("/notifications/")
    assert b"Please look" in page.content
    me.post("/notifications/read")
    assert b'class="badge"' not in me.get("/me/status").content
