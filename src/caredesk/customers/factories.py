from __future__ import annotations

import factory

from caredesk.customers.models import ContactPoint, Customer, Organization


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n}")

    @factory.post_generation
    def email(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create:
            value = extracted or f"person{self.pk}@example.net"
            ContactPoint.objects.create(customer=self, kind="email", value=value,
                                        is_primary=True)
