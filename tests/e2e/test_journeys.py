"""The journeys of issue 3, each in a real browser."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.automation.models import Rule
from caredesk.customers.factories import customer_user
from caredesk.demo.staffing import demo_staffing
from caredesk.surveys.models import FollowUp, SurveyInvitation, SurveyResponse
from caredesk.surveys.services import invitation_token
from caredesk.tickets.enums import TicketStatus
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Message, Ticket
from caredesk.tickets.services import message_add, ticket_update
from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def expect_text(page: Any, text: str) -> None:
    page.get_by_text(text).first.wait_for()


def test_a_an_agent_filters_opens_replies_and_solves(new_page: Any) -> None:
    agent = UserFactory(email="ada@example.org", first_name="Ada")
    ticket_make(subject="Printer on fire", priority="urgent", assignee=agent)
    ticket_make(subject="Password reset", priority="low", assignee=agent)
    page = new_page()
    sign_in(page, "ada@example.org")
    assert page.url.endswith("/inbox/")
    expect_text(page, "Printer on fire")
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Priority").select_option("urgent")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Password reset").count() == 0
    page.get_by_role("link", name="Printer on fire").click()
    page.get_by_label("Message").fill("We sent a technician.")
    page.get_by_label("Then set status").select_option("solved")
    page.get_by_role("button", name="Send").click()
    expect_text(page, "Reply sent.")
    expect_text(page, "We sent a technician.")
    ticket = Ticket.objects.get(subject="Printer on fire")
    assert ticket.status == TicketStatus.SOLVED
    assert ticket.messages.filter(author_user=agent, text="We sent a technician.").exists()


def test_b_two_agents_edit_the_same_ticket_and_the_second_save_is_refused(
    new_page: Any,
) -> None:
    UserFactory(email="first@example.org", first_name="First")
    UserFactory(email="second@example.org", first_name="Second")
    ticket = ticket_make(subject="Shared problem")
    one, two = new_page(), new_page()
    sign_in(one, "first@example.org")
    sign_in(two, "second@example.org")
    one.goto(f"/tickets/{ticket.pk}/")
    two.goto(f"/tickets/{ticket.pk}/")
    expect_text(two, "First Agent (viewing)")  # presence: who else is here
    one.get_by_label("Priority").select_option("high")
    one.get_by_role("button", name="Save").click()
    expect_text(one, "Ticket updated.")
    two.get_by_label("Priority").select_option("low")
    two.get_by_role("button", name="Save").click()
    expect_text(two, "Someone else changed this ticket")
    ticket.refresh_from_db()
    assert ticket.priority == "high"


def test_c_a_customer_submits_with_an_attachment_sees_the_reply_and_replies(
    new_page: Any, tmp_path: Any
) -> None:
    customer_user(email="cora@example.org", first_name="Cora")
    page = new_page(390, 844)  # a phone
    sign_in(page, "cora@example.org")
    assert page.url.endswith("/portal/")
    page.get_by_role("button", name="Submit a new request").click()
    page.get_by_label("Subject").fill("Broken hinge")
    page.get_by_label("Description").fill("The lid hinge broke after a week.")
    photo = tmp_path / "hinge.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    page.get_by_label("Attachments (optional)").set_input_files(str(photo))
    page.get_by_role("button", name="Submit request").click()
    expect_text(page, "We received your request")
    ticket = Ticket.objects.get(subject="Broken hinge")
    assert ticket.messages.get().attachments.get().filename == "hinge.jpg"
    message_add(
        ticket=ticket, author=UserFactory(first_name="Sam"), text="A new lid is on its way."
    )
    page.reload()
    expect_text(page, "A new lid is on its way.")
    page.get_by_label("Your reply").fill("Thank you!")
    page.get_by_role("button", name="Send reply").click()
    expect_text(page, "Your reply was sent.")
    assert Message.objects.filter(ticket=ticket, text="Thank you!").exists()


def test_d_a_customer_cannot_reach_another_customers_ticket(new_page: Any) -> None:
    customer_user(email="dan@example.org")
    other = customer_user(email="eve@example.org")
    theirs = ticket_make(requester=other.customer, subject="Eve's secret")
    page = new_page()
    sign_in(page, "dan@example.org")
    response = page.goto(f"/portal/requests/{theirs.pk}/")
    assert response.status == 404
    assert page.get_by_text("Eve's secret").count() == 0
    assert page.goto(f"/tickets/{theirs.pk}/").status == 403
    assert page.goto(f"/attachments/{theirs.pk}/download").status == 404


def test_e_keyboard_only_triage_of_three_tickets(new_page: Any) -> None:
    UserFactory(email="kim@example.org")
    made = [ticket_make(subject=f"Keyboard ticket {i}") for i in range(3)]
    page = new_page()
    sign_in(page, "kim@example.org")
    page.goto("/inbox/?view=open&sort=created_at")
    page.keyboard.press("j")
    page.keyboard.press("k")  # back to the first (oldest) row
    for n in range(3):
        page.locator("tr.selected").wait_for()  # the script has picked the first row
        page.keyboard.press("o")
        page.wait_for_url(re.compile(r"/tickets/\d+/$"))
        page.locator("#composer-text").wait_for()
        page.keyboard.press("s")  # solve
        expect_text(page, "Status set to solved.")
        page.keyboard.press("u")  # up to the inbox
        page.wait_for_url(re.compile(r"/inbox/"))
        assert page.locator("tr[data-ticket-url]").count() == 2 - n
    for t in made:
        t.refresh_from_db()
        assert t.status == TicketStatus.SOLVED


def test_main_pages_pass_axe_accessibility_checks(new_page: Any) -> None:
    agent = UserFactory(email="ax@example.org")
    ticket = ticket_make(subject="Accessible?", assignee=agent)
    message_add(ticket=ticket, author=agent, text="Internal", is_public=False)
    page = new_page()
    page.goto("/accounts/login/")
    problems = {"login": axe_violations(page)}
    sign_in(page, "ax@example.org")
    for name, url in (
        ("inbox", "/inbox/"),
        ("ticket", f"/tickets/{ticket.pk}/"),
        ("customer", f"/customers/{ticket.requester_id}/"),
        ("search", "/search/?q=accessible"),
    ):
        page.goto(url)
        problems[name] = axe_violations(page)
    customer = customer_user(email="axe-customer@example.org")
    own = ticket_make(requester=customer.customer, subject="Mine")
    portal = new_page(390, 844)
    sign_in(portal, "axe-customer@example.org")
    for name, url in (
        ("portal", "/portal/"),
        ("portal-new", "/portal/new/"),
        ("portal-request", f"/portal/requests/{own.pk}/"),
    ):
        portal.goto(url)
        problems[name] = axe_violations(portal)
    assert {k: v for k, v in problems.items() if v} == {}


def test_f_a_supervisor_plans_next_week_from_the_demo_data(new_page: Any) -> None:
    UserFactory(email="sue@example.org", role=Role.SUPERVISOR)
    UserFactory.create_batch(6)
    demo_staffing(weeks=4)
    page = new_page()
    sign_in(page, "sue@example.org")
    page.goto("/staffing/")
    page.get_by_label("Contacts per interval").fill("100")
    page.get_by_label("Interval length (seconds)").fill("1800")
    page.get_by_label("Average handling time (seconds)").fill("180")
    page.get_by_role("button", name="Calculate").click()
    assert page.locator("#calc-result").inner_text().startswith("Agents needed\n14")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Forecast, requirement and schedule").click()
    page.wait_for_url(re.compile(r"/staffing/plans/\d+/$"))
    page.locator("#forecast-method").wait_for()
    assert page.locator("#schedule-status").inner_text() in ("optimal", "feasible")
    assert page.locator("section.plan-day").count() == 7
    assert axe_violations(page) == []
    start = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    assert start.strftime("%A") in page.locator("section.plan-day h2").first.inner_text()


def test_g_a_supervisor_automates_and_routes_and_the_agent_is_told(new_page: Any) -> None:
    boss = UserFactory(email="boss@example.org", role=Role.SUPERVISOR)
    agent = UserFactory(email="routed@example.org", first_name="Rita")
    team = TeamFactory(name="Billing")
    team.members.add(agent, boss)
    admin = new_page()
    sign_in(admin, "boss@example.org")
    admin.goto("/manage/")
    admin.get_by_role("link", name="Automation rules").click()
    admin.get_by_label("Name").fill("Invoices go to Billing")
    admin.get_by_label("Trigger").select_option("ticket.created")
    admin.get_by_label("Conditions").fill(
        '{"conditions": [{"field": "subject", "op": "contains", "value": "invoice"}]}'
    )
    admin.get_by_label("Actions").fill(
        f'[{{"type": "route", "team": {team.pk}}}, {{"type": "add_tags", "tags": ["billing"]}}]'
    )
    admin.get_by_role("button", name="Save").click()
    expect_text(admin, "Saved Invoices go to Billing.")
    assert Rule.objects.filter(name="Invoices go to Billing").exists()
    admin.goto("/manage/routing/")
    admin.get_by_label("Strategy of Billing").select_option("least_loaded")
    admin.get_by_role("row", name=re.compile("Billing")).get_by_role("button", name="Save").click()
    expect_text(admin, "Routing of Billing saved.")
    problems = {"rules": [], "routing": axe_violations(admin)}
    admin.goto("/manage/rules/")
    problems["rules"] = axe_violations(admin)

    page = new_page()
    sign_in(page, "routed@example.org")
    page.get_by_label("Your availability").select_option("online")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Your availability").and_(page.locator(".availability-online")).wait_for()
    ticket = ticket_make(subject="Wrong invoice amount")
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert list(ticket.tags.values_list("name", flat=True)) == ["billing"]
    page.goto("/inbox/")
    page.locator("#my-status .badge").wait_for()
    page.get_by_role("link", name=re.compile("Notifications")).first.click()
    expect_text(page, "was routed to you: Wrong invoice amount")
    problems["notifications"] = axe_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}


def test_h_a_customer_answers_a_survey_and_the_supervisor_follows_up_from_the_dashboards(
    new_page: Any,
) -> None:
    """Issue 7: a solved ticket's survey answered with one click (the link's score is
    sent by the page itself), the low score's follow-up closed by the supervisor, and
    the dashboards with their charts and drill-down, all without accessibility faults."""

    boss = UserFactory(email="lead@example.org", role=Role.SUPERVISOR)
    team = TeamFactory(name="Support")
    team.members.add(boss)
    ticket = ticket_make(subject="Parcel never arrived", team=team)
    ticket_update(ticket=ticket, actor=boss, changes={"status": "solved"})
    invitation = SurveyInvitation.objects.get(ticket=ticket)
    customer = new_page()
    customer.goto(f"/s/{invitation_token(invitation)}/?score=1")
    expect_text(customer, "Thank you!")
    assert SurveyResponse.objects.get().score == 1
    problems = {"survey": axe_violations(customer)}
    customer.get_by_label("Anything you would like to add? (optional)").fill("Still no parcel.")
    customer.get_by_role("button", name="Send the comment").click()
    expect_text(customer, "Your comment: Still no parcel.")

    lead = new_page()
    sign_in(lead, "lead@example.org")
    lead.goto("/dashboard/manager/")
    expect_text(lead, "Service performance")
    assert lead.locator("svg.chart").count() >= 4
    problems["manager"] = axe_violations(lead)
    lead.get_by_role("link", name="1", exact=True).first.click()  # tickets created: 1
    expect_text(lead, "Parcel never arrived")
    problems["drill-down"] = axe_violations(lead)
    lead.goto(f"/dashboard/team/?team={team.pk}")
    expect_text(lead, "Follow-ups due")
    assert lead.locator("svg.chart").count() == 1
    problems["team"] = axe_violations(lead)
    lead.goto("/manage/follow-ups/")
    lead.get_by_label("Outcome").fill("Called: a new parcel is on its way.")
    lead.get_by_role("button", name="Done").click()
    expect_text(lead, "Follow-up closed with its outcome.")
    assert FollowUp.objects.get().outcome == "Called: a new parcel is on its way."
    problems["follow-ups"] = axe_violations(lead)
    lead.goto("/dashboard/")
    problems["mine"] = axe_violations(lead)
    assert {k: v for k, v in problems.items() if v} == {}
