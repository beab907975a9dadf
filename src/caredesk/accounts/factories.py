from __future__ import annotations

import factory

from caredesk.accounts.enums import Role
from caredesk.accounts.models import Team, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@example.com")
    username = factory.LazyAttribute(lambda o: o.email)
    role = Role.AGENT
    first_name = "Alex"
    last_name = "Agent"
    password = factory.django.Password("pw-for-tests-123")

    @factory.post_generation
    def verified_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Record the address as proven, as user_create does for staff-made accounts."""
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


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
