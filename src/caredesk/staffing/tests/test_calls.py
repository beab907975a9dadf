import datetime as dt

import pytest
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.customer360.timeline import customer_timeline
from caredesk.customers.factories import CustomerFactory, customer_user
from caredesk.customers.models import ContactPoint
from caredesk.demo.staffing import demo_staffing
from caredesk.staffing.intervals import CallTimes, interval_stats
from caredesk.staffing.models import CallEvent, CallQueue, CallRecord
from caredesk.staffing.planning import plan_make
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def at(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).isoformat()


def post(api: object, event: str, call_id: str, seconds: float, **extra: object) -> object:
    body = {"event": event, "call_id": call_id, "queue": "Support line", "at": at(seconds)}
    return api.post("staffing/call-events", {**body, **extra})


def test_events_build_a_call_once_match_the_caller_and_land_on_ticket_and_timeline(
    api_as: object,
) -> None:
    agent = UserFactory(email="phone.agent@example.org")
    customer = CustomerFactory()
    ContactPoint.objects.create(customer=customer, kind="phone", value="+4930123456")
    ticket = ticket_make(requester=customer)
    api = api_as(agent)  # type: ignore[operator]
    first = post(api, "queued", "c-1", 0, phone="+49 30 123456", ticket_id=ticket.pk)
    assert first.status_code == 201
    again = post(api, "queued", "c-1", 0, phone="+49 30 123456")
    assert again.status_code == 200
    assert again.json()["created"] is False
    post(api, "answered", "c-1", 25, agent_email="phone.agent@example.org")
    done = post(api, "ended", "c-1", 325)
    call = done.json()["call"]
    assert call["customer_id"] == customer.pk
    assert call["ticket_id"] == ticket.pk
    assert call["agent_id"] == agent.pk
    assert call["wait_seconds"] == 25
    assert call["talk_seconds"] == 300
    assert CallEvent.objects.filter(call_id="c-1").count() == 3
    assert TicketEvent.objects.filter(ticket=ticket, kind="call", new_value="c-1").count() == 1
    items = customer_timeline(user=agent, customer=customer).items
    assert [i.summary for i in items if i.kind == "call"] == ["Call to Support line: answered"]


def test_an_event_arriving_before_the_queued_one_still_builds_the_call(api_as: object) -> None:
    api = api_as(UserFactory())  # type: ignore[operator]
    post(api, "abandoned", "c-2", 40)
    post(api, "queued", "c-2", 0)
    record = CallRecord.objects.get(call_id="c-2")
    assert record.wait_seconds == 40
    assert record.answered_at is None


@pytest.mark.parametrize(
    "body",
    [
        {"event": "ringing", "call_id": "x", "queue": "q", "at": "2026-11-23T09:00:00Z"},
        {"event": "queued", "call_id": "x", "queue": "q", "at": "2026-11-23T09:00:00"},
        {"event": "queued", "call_id": "", "queue": "q", "at": "2026-11-23T09:00:00Z"},
        {"event": "queued", "call_id": "x", "queue": "q", "at": "yesterday"},
    ],
)
def test_bad_events_are_refused_with_a_problem_body(api_as: object, body: dict[str, str]) -> None:
    response = api_as(UserFactory()).post("staffing/call-events", body)  # type: ignore[operator]
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert not CallEvent.objects.exists()


def test_customers_cannot_post_call_events_or_read_queues(api_as: object) -> None:
    api = api_as(customer_user())  # type: ignore[operator]
    assert post(api, "queued", "c-3", 0).status_code == 403
    assert api.get("staffing/queues").status_code == 403


def test_interval_statistics_follow_the_definitions() -> None:
    calls = [
        CallTimes(T0, T0 + dt.timedelta(seconds=10), None, T0 + dt.timedelta(seconds=310)),
        CallTimes(T0 + dt.timedelta(minutes=5), T0 + dt.timedelta(minutes=5, seconds=50), None,
                  T0 + dt.timedelta(minutes=9)),
        CallTimes(T0 + dt.timedelta(minutes=7), None, T0 + dt.timedelta(minutes=8), None),
        CallTimes(T0 + dt.timedelta(minutes=31), T0 + dt.timedelta(minutes=31), None, None),
    ]  # fmt: skip
    rows = interval_stats(
        calls, start=T0, end=T0 + dt.timedelta(hours=1), interval_minutes=30, target_seconds=20
    )
    first, second = rows
    assert (first.offered, first.answered, first.abandoned) == (3, 2, 1)
    assert first.asa_seconds == 30  # (10 + 50) / 2 answered
    assert first.service_level == pytest.approx(1 / 3)  # 1 in 20 s of 3 offered
    assert first.abandon_rate == pytest.approx(1 / 3)
    assert first.aht_seconds == 245  # (300 + 190) / 2
    assert (second.offered, second.aht_seconds, second.service_level) == (1, None, 1.0)


def test_queue_intervals_over_the_api_in_a_time_zone(api_as: object) -> None:
    api = api_as(UserFactory())  # type: ignore[operator]
    post(api, "queued", "c-4", 0)
    post(api, "answered", "c-4", 5)
    queue_id = api.get("staffing/queues").json()[0]["id"]
    day = api.get(
        f"staffing/queues/{queue_id}/intervals", date="2026-11-23", tz="Europe/Berlin"
    ).json()
    assert len(day["intervals"]) == 48
    assert day["total"]["offered"] == 1
    busy = [i for i in day["intervals"] if i["offered"]]
    assert busy[0]["start"] == "2026-11-23T10:00:00+01:00"  # 09:00 UTC in Berlin
    bad = api.get(f"staffing/queues/{queue_id}/intervals", date="2026-11-23", tz="Mars/Base")
    assert bad.status_code == 422


def test_calculators_over_the_api(api_as: object) -> None:
    api = api_as(UserFactory())  # type: ignore[operator]
    r = api.get(
        "staffing/required", volume="100", interval_seconds="1800", aht="180",
        target_seconds="20", shrinkage="0.3",
    ).json()  # fmt: skip
    assert (r["agents"], r["scheduled_staff"]) == (14, 20)
    bad = api.get("staffing/erlang-c", volume="-1", interval_seconds="900", aht="180", agents="3")
    assert bad.status_code == 422
    assert api.get("staffing/erlang-b", traffic="10", servers="15").json()["servers"] is None


def test_plans_cost_curve_and_ticket_volume_over_the_api(api_as: object) -> None:
    UserFactory.create_batch(6)
    demo_staffing(weeks=3)
    supervisor = api_as(UserFactory(role=Role.SUPERVISOR))  # type: ignore[operator]
    queue_id = supervisor.get("staffing/queues").json()[0]["id"]
    today = timezone.localdate()
    christmas = (today + dt.timedelta(days=1)).isoformat()
    made = supervisor.post(
        f"staffing/queues/{queue_id}/plans",
        {"start_date": today.isoformat(), "days": 2, "holidays": [christmas]},
    )
    assert made.status_code == 201
    plan = made.json()
    assert len(plan["requirement"]) == 2
    assert max(plan["requirement"][1]) == 0  # the holiday is closed
    assert plan["forecast"]["holiday"][48:] == [True] * 48
    assert supervisor.get(f"staffing/plans/{plan['id']}").json()["id"] == plan["id"]
    agent = api_as(UserFactory())  # type: ignore[operator]
    refused = agent.post(f"staffing/queues/{queue_id}/plans", {"start_date": today.isoformat()})
    assert refused.status_code == 403
    curve = agent.get(
        "staffing/cost-curve", volume="300", interval_seconds="1800", aht="240",
        cost_per_agent_hour="30", wait_cost_per_minute="1.5",
    ).json()  # fmt: skip
    assert curve["best"]["total"] == min(p["total"] for p in curve["points"])
    ticket_make(channel="email")
    day = agent.get("staffing/tickets/intervals", date=today.isoformat(), channel="email").json()
    assert sum(i["created"] for i in day["intervals"]) == 1
    assert (
        agent.get("staffing/tickets/intervals", date="2026-11-23", channel="fax").status_code == 422
    )


def test_a_chat_queue_plans_agents_for_its_chats_at_once() -> None:
    UserFactory.create_batch(3)
    demo_staffing(weeks=3)
    queue = CallQueue.objects.order_by("id").first()
    assert queue is not None
    today = timezone.localdate()
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7)  # the demo's weekends are quiet
    one = plan_make(queue=queue, start_date=monday, actor=None, days=1)
    queue.concurrency = 3
    queue.save()
    three = plan_make(queue=queue, start_date=monday, actor=None, days=1)
    assert max(one.requirement[0]) > 3
    assert three.requirement[0] == [-(-n // 3) for n in one.requirement[0]]
