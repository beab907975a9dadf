import pytest
from django.test import Client

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.accounts.models import Team, User
from caredesk.accounts.services import mfa_required_roles
from caredesk.core.models import CustomField
from caredesk.customers.services import crm_settings_get
from caredesk.tickets.models import CannedReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> Client:
    c = Client(SERVER_NAME="localhost")
    c.force_login(UserFactory(role=Role.ADMIN, email="boss@example.org"))
    return c


def test_an_admin_adds_a_staff_member_and_changes_their_role(admin: Client) -> None:
    admin.post(
        "/manage/users/",
        {"email": "new.agent@example.org", "role": "agent", "first_name": "Nia", "password": ""},
    )
    user = User.objects.get(email="new.agent@example.org")
    assert user.role == Role.AGENT
    admin.post(
        f"/manage/users/{user.pk}/",
        {"first_name": "Nia", "last_name": "", "role": "supervisor", "is_active": "on"},
    )
    user.refresh_from_db()
    assert user.role == Role.SUPERVISOR


def test_the_last_admin_cannot_demote_themselves(admin: Client) -> None:
    me = User.objects.get(email="boss@example.org")
    page = admin.post(f"/manage/users/{me.pk}/", {"role": "agent", "is_active": "on"})
    assert b"at least one active admin" in page.content
    me.refresh_from_db()
    assert me.role == Role.ADMIN


def test_a_duplicate_email_is_a_form_error(admin: Client) -> None:
    page = admin.post("/manage/users/", {"email": "boss@example.org", "role": "agent"})
    assert page.status_code == 200
    assert b"exists" in page.content


def test_teams_canned_replies_custom_fields_and_settings(admin: Client) -> None:
    agent = UserFactory()
    admin.post("/manage/teams/", {"name": "Billing", "description": "", "members": [agent.pk]})
    team = Team.objects.get(name="Billing")
    assert list(team.members.all()) == [agent]
    admin.post("/manage/canned-replies/", {"title": "Thanks", "body": "Hi {{customer.first_name}}"})
    assert CannedReply.objects.get().title == "Thanks"
    admin.post(
        "/manage/custom-fields/",
        {
            "entity": "ticket",
            "key": "order_no",
            "label": "Order",
            "field_type": "text",
            "choices": "[]",
            "position": 0,
        },
    )
    assert CustomField.objects.get().key == "order_no"
    bad = admin.post("/manage/settings/", {"recency_window_days": 0})
    assert bad.status_code == 200
    admin.post(
        "/manage/settings/", {"recency_window_days": 90, "mfa_required_roles": ["admin", "agent"]}
    )
    assert crm_settings_get().recency_window_days == 90
    assert mfa_required_roles() == {"admin", "agent"}
