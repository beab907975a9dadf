import hashlib

import pytest
from django.contrib.auth import authenticate

from caredesk.accounts.factories import UserFactory
from caredesk.accounts.models import ApiToken, User
from caredesk.accounts.services import (
    team_create,
    token_authenticate,
    token_create,
    token_revoke,
    user_create,
)
from caredesk.core.errors import ValidationFailed
from caredesk.customers.factories import customer_user
from caredesk.customers.models import Customer
from caredesk.customers.services import customer_account_create, customer_create

pytestmark = pytest.mark.django_db


def test_customer_user_is_linked_to_existing_customer_with_same_email() -> None:
    # given history imported before the customer was invited
    customer = customer_create(name="Rosa Costa", emails=["Rosa@Example.org"])
    # when
    user = customer_account_create(email="rosa@example.org", password="x-long-pass-9981")
    # then
    assert user.customer_id == customer.pk
    assert Customer.objects.count() == 1


def test_a_customer_account_needs_its_customer_record() -> None:
    with pytest.raises(ValidationFailed):
        user_create(email="lone@example.org", role="customer", password="x-long-pass-9981")
    assert not User.objects.filter(email="lone@example.org").exists()


def test_customer_user_creates_customer_when_missing() -> None:
    user = customer_account_create(
        email="new@example.org",
        password="x-long-pass-9981",
        first_name="Nia",
        last_name="Berg",
    )
    assert user.customer is not None
    assert user.customer.name == "Nia Berg"
    assert user.customer.contacts.get().value == "new@example.org"


def test_agent_user_has_no_customer_record() -> None:
    user = user_create(email="agent@example.org", role="agent", password="x-long-pass-9981")
    assert user.customer is None
    assert user.is_staff_member


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("role", {"email": "a@b.org", "role": "boss", "password": "x-long-pass-9981"}),
        ("email", {"email": "not-an-email", "role": "agent", "password": "x-long-pass-9981"}),
        ("password", {"email": "c@b.org", "role": "agent", "password": "123"}),
    ],
)
def test_user_create_rejects_bad_input(field: str, kwargs: dict) -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_create(**kwargs)
    assert exc.value.field == field


def test_duplicate_email_is_refused_case_insensitively() -> None:
    user_create(email="dup@example.org", role="agent", password="x-long-pass-9981")
    with pytest.raises(ValidationFailed) as exc:
        user_create(email="DUP@example.org", role="agent", password="x-long-pass-9981")
    assert exc.value.code == "email_taken"


def test_token_is_stored_hashed_and_can_be_revoked() -> None:
    user = UserFactory()
    token, plain = token_create(user=user)
    assert plain not in token.key_hash
    assert token.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert ApiToken.objects.filter(key_hash=plain).count() == 0
    assert token_authenticate(plain=plain) == user
    token_revoke(token=token)
    assert token_authenticate(plain=plain) is None


def test_token_of_inactive_user_does_not_authenticate() -> None:
    user = UserFactory(is_active=False)
    _, plain = token_create(user=user)
    assert token_authenticate(plain=plain) is None


@pytest.mark.parametrize("plain", ["", "cdk_", "nope", "cdk_" + "x" * 500])
def test_garbage_tokens_do_not_authenticate(plain: str) -> None:
    assert token_authenticate(plain=plain) is None


def test_login_with_email_or_username() -> None:
    user = UserFactory(email="Login@Example.org", username="loginname")
    assert authenticate(username="login@example.org", password="pw-for-tests-123") == user
    assert authenticate(username="loginname", password="pw-for-tests-123") == user
    assert authenticate(username="loginname", password="wrong") is None


def test_teams_hold_agents_only() -> None:
    agent = UserFactory()
    team = team_create(name=" Billing ", members=[agent])
    assert team.name == "Billing"
    assert list(team.members.all()) == [agent]
    with pytest.raises(ValidationFailed) as exc:
        team_create(name="Billing", members=[customer_user()])
    assert exc.value.code == "not_staff"
