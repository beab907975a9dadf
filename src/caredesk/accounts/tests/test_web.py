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
