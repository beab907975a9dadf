"""The contract of a ticket change: every door that makes the same change has the same
effects (survey, rules, SLA clocks, notifications, history), because every writer hands
its change to one dispatcher and the reactions are one list (config/reactions.py).

The first two tests are the defects that the single dispatcher fixes: solving from the
reply box sent no survey and ran no ``ticket.updated`` rule, and a merged ticket kept
its SLA clocks running until a breach was recorded on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from caredesk.accounts.factories import UserFactory
from caredesk.automation.models import RuleRun
from caredesk.automation.services.rules import rule_save
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.notifications.models import Notification, NotificationKind
from caredesk.sla.models import SlaPolicy, TicketSla
from caredesk.sla.services import sla_check
from caredesk.surveys.models import SurveyInvitation
from caredesk.tickets.enums import EventKind, TicketStatus
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Ticket, TicketEvent
from caredesk.tickets.services import message_add, ticket_merge, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """An agent, a customer who can sign in, an SLA policy with every target, and a
    rule that watches status changes (tags the ticket, notifies its assignee)."""
    SlaPolicy.objects.create(
        name="Everything", first_response_minutes=60, next_response_minutes=60,
        resolution_minutes=240,
    )  # fmt: skip
    watcher = rule_save(
        name="Status watcher",
        trigger="ticket.updated",
        conditions={"match": "all", "conditions": [{"field": "status", "op": "changed"}]},
        actions=[
            {"type": "add_tags", "tags": ["status-seen"]},
            {"type": "notify", "to": "assignee", "text": "The status changed"},
        ],
    )
    agent = UserFactory()
    user = customer_user(email="dana@example.com")
    return {"agent": agent, "customer": user, "watcher": watcher}


def _ticket(world: dict[str, Any]) -> Ticket:
    """A customer's ticket, assigned to the agent and answered once (open)."""
    ticket = ticket_make(requester=world["customer"].customer, assignee=world["agent"])
    message_add(ticket=ticket, author=world["agent"], text="Looking into it.")
    return Ticket.objects.get(pk=ticket.pk)


def _api(world: dict[str, Any], api_as: Any) -> Any:
    return api_as(world["agent"])


# --- the doors that solve a ticket ------------------------------------------------------


def _by_status_key(world: dict[str, Any], ticket: Ticket, api_as: Any) -> None:
    page = signed_in(world["agent"]).post(
        f"/tickets/{ticket.pk}/status", {"status": "solved", "version": ticket.version}
    )
    assert page.status_code == 302


def _by_properties_form(world: dict[str, Any], ticket: Ticket, api_as: Any) -> None:
    page = signed_in(world["agent"]).post(
        f"/tickets/{ticket.pk}/properties",
        {
            "status": "solved",
            "priority": ticket.priority,
            "type": ticket.type,
            "assignee": world["agent"].pk,
            "team": "",
            "tags": "",
            "version": ticket.version,
        },
    )
    assert page.status_code == 302


def _by_reply_box(world: dict[str, Any], ticket: Ticket, api_as: Any) -> None:
    page = signed_in(world["agent"]).post(
        f"/tickets/{ticket.pk}/reply",
        {"kind": "reply", "text": "Fixed it.", "status_after": "solved", "version": ticket.version},
    )
    assert page.status_code == 302


def _by_api_patch(world: dict[str, Any], ticket: Ticket, api_as: Any) -> None:
    r = _api(world, api_as).patch(
        f"tickets/{ticket.pk}", {"status": "solved", "version": ticket.version}
    )
    assert r.status_code == 200, r.content


def _by_api_message(world: dict[str, Any], ticket: Ticket, api_as: Any) -> None:
    r = _api(world, api_as).post(
        f"tickets/{ticket.pk}/messages", {"text": "Fixed it.", "status": "solved"}
    )
    assert r.status_code == 201, r.content


def _by_bulk_action(world: dict[str, Any], ticket: Ticket, api_as: Any) -> None:
    page = signed_in(world["agent"]).post(
        "/inbox/bulk", {"ids": [ticket.pk], "action": "status", "status": "solved"}
    )
    assert page.status_code == 302


def _by_rule_action(world: dict[str, Any], ticket: Ticket, api_as: Any) -> None:
    rule_save(
        name="Solve on request",
        trigger="message.agent",
        conditions={
            "match": "all",
            "conditions": [{"field": "message.text", "op": "contains", "value": "#solve"}],
        },
        actions=[{"type": "set", "field": "status", "value": "solved"}],
    )
    message_add(ticket=ticket, author=world["agent"], text="Done, closing. #solve")


SOLVING_DOORS: dict[str, Callable[[dict[str, Any], Ticket, Any], None]] = {
    "status key": _by_status_key,
    "properties form": _by_properties_form,
    "reply box": _by_reply_box,
    "API PATCH": _by_api_patch,
    "API message with status": _by_api_message,
    "bulk action": _by_bulk_action,
    "rule action": _by_rule_action,
}


def _effects(ticket: Ticket, world: dict[str, Any]) -> dict[str, Any]:
    """What a change left behind, in terms every door must agree on."""
    ticket.refresh_from_db()
    sla = TicketSla.objects.get(ticket=ticket)
    return {
        "status": ticket.status,
        "surveys": SurveyInvitation.objects.filter(ticket=ticket).count(),
        "watcher ran": RuleRun.objects.filter(rule_id=world["watcher"].pk, ticket=ticket).count(),
        "tags": sorted(ticket.tags.values_list("name", flat=True)),
        "notified": Notification.objects.filter(
            ticket=ticket, user=world["agent"], kind=NotificationKind.RULE
        ).count(),
        "resolution met": sla.resolution_met is not None,
        "status history": list(
            TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CHANGED, field="status")
            .order_by("pk")
            .values_list("old_value", "new_value")
        ),
    }


SOLVED = {
    "status": "solved",
    "surveys": 1,
    "watcher ran": 2,  # new -> open (the first answer), open -> solved
    "tags": ["status-seen"],
    "notified": 2,
    "resolution met": True,
    "status history": [("new", "open"), ("open", "solved")],
}


def test_solving_from_the_reply_box_sends_the_survey_and_runs_the_rules(
    world: dict[str, Any], api_as: Any
) -> None:
    """The defect: the reply box's "then set status: solved" skipped both."""
    ticket = _ticket(world)
    _by_reply_box(world, ticket, api_as)
    effects = _effects(ticket, world)
    assert effects["surveys"] == 1
    assert effects["watcher ran"] == 2


def test_a_merged_ticket_records_no_breach_later(world: dict[str, Any]) -> None:
    """The defect: merging closed the source but left its clocks running."""
    source, target = _ticket(world), _ticket(world)
    message_add(ticket=source, author=world["customer"], text="Any news?")
    ticket_merge(source=source, target=target, actor=world["agent"])
    later = timezone.now() + dt.timedelta(days=30)
    breached = {(e.ticket_id, e.kind) for e in sla_check(now=later) if e.kind == "breach"}
    assert (source.pk, "breach") not in breached
    assert (target.pk, "breach") in breached  # the conversation goes on there
    clocks = TicketSla.objects.get(ticket=source)
    assert clocks.resolution_breached is None
    assert clocks.next_response_breached is None
    assert clocks.first_response_met is not None  # what happened before the merge stays


@pytest.mark.parametrize("door", list(SOLVING_DOORS))
def test_every_door_that_solves_a_ticket_has_the_same_effects(
    door: str, world: dict[str, Any], api_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _ticket(world)
    with django_capture_on_commit_callbacks(execute=True):
        SOLVING_DOORS[door](world, ticket, api_as)
    assert _effects(ticket, world) == SOLVED


REOPENED = {
    "status": "open",
    "surveys": 1,
    "watcher ran": 3,
    "tags": ["status-seen"],
    "notified": 3,
    "resolution met": False,
    "status history": [("new", "open"), ("open", "solved"), ("solved", "open")],
}


def _reopen_by_portal_reply(world: dict[str, Any], ticket: Ticket) -> None:
    page = signed_in(world["customer"]).post(
        f"/portal/requests/{ticket.pk}/reply", {"text": "It is broken again."}
    )
    assert page.status_code == 302


def _reopen_by_status(world: dict[str, Any], ticket: Ticket) -> None:
    ticket_update(ticket=ticket, actor=world["agent"], changes={"status": "open"})


@pytest.mark.parametrize("door", [_reopen_by_portal_reply, _reopen_by_status])
def test_reopening_by_a_customer_reply_is_the_same_change_as_by_the_status(
    door: Callable[[dict[str, Any], Ticket], None], world: dict[str, Any]
) -> None:
    ticket = _ticket(world)
    ticket_update(ticket=ticket, actor=world["agent"], changes={"status": "solved"})
    door(world, Ticket.objects.get(pk=ticket.pk))
    assert _effects(ticket, world) == REOPENED


def test_merging_closes_the_source_through_the_same_door(world: dict[str, Any]) -> None:
    source, target = _ticket(world), _ticket(world)
    page: Client = signed_in(world["agent"])
    assert page.post(f"/tickets/{source.pk}/merge", {"target": target.pk}).status_code == 302
    effects = _effects(source, world)
    assert effects["status"] == TicketStatus.CLOSED
    assert effects["surveys"] == 0  # closed by a merge is not solved
    assert effects["watcher ran"] == 2  # the merge is a status change like any other
    assert effects["status history"][-1] == ("open", "closed")
    assert TicketEvent.objects.filter(ticket=target, kind=EventKind.MERGED).count() == 1
