from __future__ import annotations

import factory

from caredesk.accounts.enums import Role
from caredesk.accounts.models import Team, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"agent{n}@example.com")
    username = factory.LazyAttribute(lambda o: o.email)
    role = Role.AGENT
    first_name = "Alex"
    last_name = "Agent"
    password = factory.django.Password("pw-for-tests-123")


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


def customer_user(email: str | None = None, first_name: str = "", last_name: str = "") -> User:
    """A customer-role user linked to a customer record, through the real service."""
    from caredesk.accounts.services import user_create

    n = User.objects.count()
    return user_create(
        email=email or f"customer{n}@example.org",
        role=Role.CUSTOMER,
        password="pw-for-tests-123",
        check_password=False,
        first_name=first_name,
        last_name=last_name,
    )
