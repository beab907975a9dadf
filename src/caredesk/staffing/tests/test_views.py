import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.demo.staffing import demo_staffing
from caredesk.staffing.models import CallQueue, Plan

pytestmark = pytest.mark.django_db


def test_the_calculator_page_computes_and_draws_the_cost_curve() -> None:
    page = signed_in(UserFactory()).get(
        "/staffing/",
        {"volume": "100", "interval_seconds": "1800", "aht": "180", "target_seconds": "20",
         "target_level": "0.8", "shrinkage": "0.3", "cost_per_agent_hour": "30",
         "wait_cost_per_minute": "1"},
    )  # fmt: skip
    assert page.status_code == 200
    assert page.context["figures"]["agents"] == 14
    assert page.context["figures"]["scheduled_staff"] == 20
    assert page.context["curve"].best.agents >= 11
    assert b"<polyline" in page.content


def test_bad_calculator_input_is_a_message_not_an_error() -> None:
    page = signed_in(UserFactory()).get("/staffing/", {"volume": "lots", "interval_seconds": "0"})
    assert page.status_code == 200
    assert "not a number" in page.context["error"]


def test_forecast_requirement_and_schedule_from_the_demo_data() -> None:
    supervisor = UserFactory(role=Role.SUPERVISOR)
    UserFactory.create_batch(8)
    today = timezone.localdate()
    demo_staffing(weeks=4, today=today)
    queue = CallQueue.objects.get()
    start = today + dt.timedelta(days=7 - today.weekday())
    c = signed_in(supervisor)
    response = c.post(f"/staffing/queues/{queue.pk}/plan", {"start_date": start.isoformat()})
    plan = Plan.objects.get()
    assert response.url == f"/staffing/plans/{plan.pk}/"
    assert plan.forecast["method"] in ("holt_winters", "seasonal_naive")
    assert set(plan.forecast["accuracy"]) == {"holt_winters", "seasonal_naive"}
    assert len(plan.requirement) == 7
    assert max(map(max, plan.requirement)) > 0
    assert plan.coverage["status"] in ("optimal", "feasible")
    assert plan.schedule  # shifts were given out
    page = c.get(response.url)
    assert page.status_code == 200
    assert b"Agents per interval: required and scheduled" in page.content
    assert c.get(f"/staffing/queues/{queue.pk}/today/").status_code == 200


def test_planning_without_history_says_why() -> None:
    queue = CallQueue.objects.create(name="Empty")
    c = signed_in(UserFactory(role=Role.SUPERVISOR))
    response = c.post(
        f"/staffing/queues/{queue.pk}/plan", {"start_date": "2026-12-07"}, follow=True
    )
    assert b"needs at least one week of call history" in response.content
    assert not Plan.objects.exists()


def test_staffing_pages_need_staff_and_planning_a_supervisor() -> None:
    queue = CallQueue.objects.create(name="Q")
    for url in ("/staffing/", f"/staffing/queues/{queue.pk}/today/"):
        assert Client(SERVER_NAME="localhost").get(url).status_code == 302
        assert signed_in(customer_user()).get(url).status_code == 403
    plan_url = f"/staffing/queues/{queue.pk}/plan"
    assert signed_in(UserFactory()).post(plan_url, {"start_date": "2026-12-07"}).status_code == 403
    assert signed_in(customer_user()).post(plan_url).status_code == 403
