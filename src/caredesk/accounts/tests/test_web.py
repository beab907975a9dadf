import pytest
from django.test import Client

from caredesk.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_signs_in_and_home_shows_the_user() -> None:
    UserFactory(email="web@example.org")
    client = Client(SERVER_NAME="localhost")
    assert client.get("/").status_code == 302
    response = client.post(
        "/login/", {"username": "web@example.org", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert b"web@example.org" in home.content


def test_wrong_password_shows_an_error() -> None:
    UserFactory(email="web2@example.org")
    client = Client(SERVER_NAME="localhost")
    response = client.post("/login/", {"username": "web2@example.org", "password": "bad"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_healthz() -> None:
    response = Client(SERVER_NAME="localhost").get("/healthz")
    assert response.json() == {"status": "ok"}


def test_admin_pages_open_for_an_admin() -> None:
    from caredesk.accounts.services import user_create
    from caredesk.tickets.factories import ticket_make

    user_create(email="root@example.org", role="admin", password="admin-pass-12345")
    ticket = ticket_make()
    client = Client(SERVER_NAME="localhost")
    assert client.login(username="root@example.org", password="admin-pass-12345")
    for path in (
        "/admin/",
        "/admin/tickets/ticket/",
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        "/admin/customers/customer/",
        f"/admin/customers/customer/{ticket.requester_id}/change/",
    ):
        assert client.get(path).status_code == 200, path


def test_agents_are_not_let_into_the_admin() -> None:
    UserFactory(email="agent-admin@example.org")
    client = Client(SERVER_NAME="localhost")
    client.login(username="agent-admin@example.org", password="pw-for-tests-123")
    assert client.get("/admin/").status_code == 302
