import pytest
from django.test import Client

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.customers.factories import customer_user
from caredesk.sla.models import BusinessCalendar, TicketSla
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db

HOURS = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}]


def test_an_admin_defines_a_calendar_and_a_policy_that_new_tickets_get(api_as: object) -> None:
    admin = api_as(UserFactory(role=Role.ADMIN))  # type: ignore[operator]
    cal = admin.post("sla/calendars", {"name": "Office", "timezone": "Europe/Berlin",
                                       "hours": HOURS, "holidays": ["2026-12-25"]})  # fmt: skip
    assert cal.status_code == 201
    pol = admin.post("sla/policies", {"name": "Urgent", "conditions": {"priority": ["urgent"]},
                                      "calendar_id": cal.json()["id"],
                                      "first_response_minutes": 60})  # fmt: skip
    assert pol.status_code == 201
    ticket = ticket_make(priority="urgent")
    clocks = admin.get(f"sla/tickets/{ticket.pk}").json()
    assert clocks["policy"] == "Urgent"
    assert clocks["first_response"]["due"] is not None
    in_use = admin.delete(f"sla/calendars/{cal.json()['id']}")
    assert in_use.status_code == 409
    report = admin.get("sla/compliance", date_from="2026-11-01", date_to="2026-11-30").json()
    assert {(r["policy"], r["target"]) for r in report} >= {("Urgent", "first_response")}


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Bad", "timezone": "Mars/Base", "hours": HOURS},
        {"name": "Bad", "timezone": "UTC",
         "hours": [{"days": ["mon"], "start": "17:00", "end": "09:00"}]},
        {"name": "Bad", "timezone": "UTC", "hours": [{"days": ["noday"], "start": "09:00",
                                                      "end": "17:00"}]},
    ],
)  # fmt: skip
def test_bad_calendars_are_422(api_as: object, body: dict[str, object]) -> None:
    admin = api_as(UserFactory(role=Role.ADMIN))  # type: ignore[operator]
    response = admin.post("sla/calendars", body)
    assert response.status_code == 422


def test_a_policy_needs_a_target_and_known_conditions(api_as: object) -> None:
    admin = api_as(UserFactory(role=Role.ADMIN))  # type: ignore[operator]
    assert admin.post("sla/policies", {"name": "Empty"}).status_code == 422
    odd = {"name": "Odd", "conditions": {"moon": ["full"]}, "resolution_minutes": 60}
    assert admin.post("sla/policies", odd).status_code == 422


def test_only_admins_change_and_customers_see_nothing(api_as: object) -> None:
    agent = api_as(UserFactory())  # type: ignore[operator]
    assert agent.post("sla/policies", {"name": "X", "resolution_minutes": 5}).status_code == 403
    assert agent.get("sla/policies").status_code == 200
    customer = api_as(customer_user())  # type: ignore[operator]
    assert customer.get("sla/policies").status_code == 403
    assert not TicketSla.objects.exists()


def test_the_django_admin_refuses_a_broken_calendar() -> None:
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    c = Client(SERVER_NAME="localhost")
    c.force_login(admin)
    page = c.post(
        "/admin/sla/businesscalendar/add/",
        {"name": "Broken", "timezone": "Mars/Base", "hours": "[]", "holidays": "[]"},
    )
    assert page.status_code == 200  # the form again, with the error
    assert b"unknown time zone" in page.content
    assert not BusinessCalendar.objects.exists()
    assert c.get("/admin/staffing/shifttemplate/").status_code == 200


def test_commitment_figures_over_the_api(api_as: object) -> None:
    agent = api_as(UserFactory())  # type: ignore[operator]
    figures = agent.get("sla/commitments", date_from="2026-11-01", date_to="2026-11-30").json()
    assert figures == {"due": 0, "kept": 0, "broken": 0, "overdue": 0, "kept_rate": None}
