import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.accounts.models import User
from caredesk.accounts.services import access_settings_update, user_create
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"


def client() -> Client:
    return Client(SERVER_NAME="localhost")


def test_an_agent_signs_in_with_email_or_username_and_lands_on_the_inbox() -> None:
    UserFactory(email="web@example.org", username="webby")
    for login in ("web@example.org", "webby"):
        c = client()
        assert c.get("/").url == "/accounts/login/"
        response = c.post("/accounts/login/", {"login": login, "password": PASSWORD})
        assert response.status_code == 302, login
        assert c.get("/").url == "/inbox/"
        inbox = c.get("/inbox/")
        assert inbox.status_code == 200
        assert b"My open tickets" in inbox.content


def test_wrong_password_shows_an_error_and_signs_nobody_in() -> None:
    UserFactory(email="web2@example.org")
    c = client()
    response = c.post("/accounts/login/", {"login": "web2@example.org", "password": "bad"})
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert c.get("/inbox/").status_code == 302


def test_failed_logins_are_rate_limited_even_with_the_right_password_afterwards() -> None:
    UserFactory(email="victim@example.org")
    c = client()
    for _ in range(5):
        c.post("/accounts/login/", {"login": "victim@example.org", "password": "guess"})
    response = c.post("/accounts/login/", {"login": "victim@example.org", "password": PASSWORD})
    assert b"Too many failed login attempts" in response.content
    assert c.get("/inbox/").status_code == 302


def test_sign_out_needs_a_post() -> None:
    user = UserFactory()
    c = client()
    c.force_login(user)
    c.post("/accounts/logout/")
    assert c.get("/inbox/").status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password() -> None:
    UserFactory(email="forgot@example.org")
    c = client()
    c.post("/accounts/password/reset/", {"email": "forgot@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://localhost(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link is not None
    form_page = c.get(link.group(1), follow=True)
    new = "a-brand-new-passphrase-42"
    c.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert User.objects.get(email="forgot@example.org").check_password(new)


def test_sign_up_makes_a_customer_who_must_prove_the_address_first() -> None:
    c = client()
    response = c.post(
        "/accounts/signup/",
        {
            "email": "new.customer@example.org",
            "password1": "a-long-passphrase-99",
            "password2": "a-long-passphrase-99",
            "first_name": "Nora",
            "last_name": "New",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.customer@example.org")
    assert user.role == Role.CUSTOMER
    assert user.customer is not None
    assert user.customer.name == "Nora New"
    assert c.get("/portal/").status_code == 302  # not signed in before verification
    assert len(mail.outbox) == 1
    link = re.search(r"http://localhost(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    assert link is not None
    c.post(link.group(1))
    c.post(
        "/accounts/login/",
        {"login": "new.customer@example.org", "password": "a-long-passphrase-99"},
    )
    assert c.get("/").url == "/portal/"


def test_a_role_that_requires_two_factor_is_sent_to_set_it_up() -> None:
    access_settings_update(mfa_required_roles=[Role.AGENT])
    agent = UserFactory(email="must-2fa@example.org")
    c = client()
    c.post("/accounts/login/", {"login": "must-2fa@example.org", "password": PASSWORD})
    response = c.get("/inbox/")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"
    # allauth asks for the password again before an authenticator is added
    assert c.get("/accounts/2fa/totp/activate/").url.startswith("/accounts/reauthenticate/")
    c.post("/accounts/reauthenticate/", {"password": PASSWORD})
    activate = c.get("/accounts/2fa/totp/activate/")
    assert activate.status_code == 200
    assert b"Authenticator code" in activate.content
    Authenticator.objects.create(user=agent, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert c.get("/inbox/").status_code == 200


def test_two_factor_is_asked_at_sign_in_once_activated() -> None:
    agent = UserFactory(email="totp@example.org")
    Authenticator.objects.create(user=agent, type=Authenticator.Type.TOTP, data={"secret": "x"})
    c = client()
    response = c.post("/accounts/login/", {"login": "totp@example.org", "password": PASSWORD})
    assert response.url == "/accounts/2fa/authenticate/"
    assert c.get("/inbox/").status_code == 302  # not signed in without the code


def test_healthz() -> None:
    response = client().get("/healthz")
    assert response.json() == {"status": "ok"}


def test_admin_pages_open_for_an_admin() -> None:
    user_create(email="root@example.org", role="admin", password="admin-pass-12345")
    ticket = ticket_make()
    c = client()
    assert c.login(username="root@example.org", password="admin-pass-12345")
    for path in (
        "/admin/",
        "/admin/tickets/ticket/",
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        "/admin/customers/customer/",
        f"/admin/customers/customer/{ticket.requester_id}/change/",
    ):
        assert c.get(path).status_code == 200, path


def test_agents_are_not_let_into_the_django_admin() -> None:
    user = UserFactory(email="agent-admin@example.org")
    c = client()
    c.force_login(user)
    assert c.get("/admin/").status_code == 302
