from __future__ import annotations

import factory

from caredesk.customers.models import ContactPoint, Customer, Organization


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
