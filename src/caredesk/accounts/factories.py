from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

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
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
