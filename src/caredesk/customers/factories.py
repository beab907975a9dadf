from __future__ import annotations

import factory

from caredesk.accounts.models import User
from caredesk.customers.models import ContactPoint, Customer, Organization
from caredesk.customers.services import customer_account_create


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n}")

    @factory.post_generation
    def email(obj: Customer, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create:
            value = extracted or f"person{obj.pk}@example.net"
            ContactPoint.objects.create(customer=obj, kind="email", value=value, is_primary=True)


def customer_user(email: str | None = None, first_name: str = "", last_name: str = "") -> User:
    """A customer-role user linked to a customer record, through the real service."""

    n = User.objects.count()
    return customer_account_create(
        email=email or f"customer{n}@example.org",
        password="pw-for-tests-123",
        check_password=False,
        first_name=first_name,
        last_name=last_name,
    )
