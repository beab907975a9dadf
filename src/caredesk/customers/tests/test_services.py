import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caredesk.accounts.factories import UserFactory
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.models import CustomField
from caredesk.customers.factories import CustomerFactory, OrganizationFactory
from caredesk.customers.selectors import (
    CustomerFilters,
    customer_lifecycle,
    customer_list,
    customer_segments,
)
from caredesk.customers.services import (
    crm_settings_update,
    customer_create,
    customer_update,
    organization_create,
    purchase_create,
    segment_create,
)

pytestmark = pytest.mark.django_db


def test_contact_points_are_normalised_and_unique_across_customers() -> None:
    first = customer_create(
        name="A", emails=[" Ann@Example.COM "], phones=["+49 (30) 123-456"], socials=["twitter:Ann"]
    )
    values = sorted(first.contacts.values_list("kind", "value"))
    assert values == [
        ("email", "ann@example.com"),
        ("phone", "+4930123456"),
        ("social", "twitter:ann"),
    ]
    with pytest.raises(Conflict) as exc:
        customer_create(name="B", emails=["ann@example.com"])
    assert exc.value.code == "contact_taken"


def test_several_contact_points_first_is_primary() -> None:
    c = customer_create(name="A", emails=["a1@example.com", "a2@example.com"])
    primary = c.contacts.get(is_primary=True)
    assert primary.value == "a1@example.com"
    assert c.contacts.count() == 2


@pytest.mark.parametrize("phone", ["abc", "12", "+49 30 12 34 ext"])
def test_bad_phone_is_refused(phone: str) -> None:
    with pytest.raises(ValidationFailed):
        customer_create(name="A", phones=[phone])


def test_customer_joins_organisation_by_email_domain() -> None:
    org = organization_create(name="Northwind", domains=["northwind.example"])
    c = customer_create(name="N", emails=["n@northwind.example"])
    assert c.organization == org


def test_internal_organisation() -> None:
    org = organization_create(name="Finance", kind="internal")
    assert org.kind == "internal"


def test_purchases_drive_the_lifecycle_and_value() -> None:
    c = CustomerFactory()
    assert customer_lifecycle(customer=c)[0] == "potential"
    purchase_create(
        customer=c,
        purchased_at=timezone.now() - dt.timedelta(days=500),
        amount="100.00",
        product="Laptop",
    )
    assert customer_lifecycle(customer=c)[0] == "former"
    purchase_create(
        customer=c,
        purchased_at=timezone.now() - dt.timedelta(days=10),
        amount=Decimal("20.50"),
        product="Mouse",
    )
    c.refresh_from_db()
    assert customer_lifecycle(customer=c)[0] == "existing"
    assert c.lifetime_value == Decimal("120.50")
    assert c.purchase_count == 2


def test_recency_window_is_a_setting() -> None:
    c = CustomerFactory()
    purchase_create(
        customer=c, purchased_at=timezone.now() - dt.timedelta(days=90), amount="5", product="Lunch"
    )
    assert customer_lifecycle(customer=c)[0] == "existing"
    crm_settings_update(recency_window_days=60)  # a restaurant
    assert customer_lifecycle(customer=c)[0] == "former"


@pytest.mark.parametrize("amount", ["-1", "abc", "NaN", "1e20"])
def test_bad_amounts_are_refused(amount: str) -> None:
    with pytest.raises(ValidationFailed):
        purchase_create(
            customer=CustomerFactory(), purchased_at=timezone.now(), amount=amount, product="X"
        )


def test_custom_fields_validated_against_definitions() -> None:
    CustomField.objects.create(
        entity="customer", key="tier", label="Tier", field_type="choice", choices=["gold", "silver"]
    )
    c = customer_create(name="C", custom_fields={"tier": "gold", "free": "anything"})
    assert c.custom_fields == {"tier": "gold", "free": "anything"}
    with pytest.raises(ValidationFailed) as exc:
        customer_update(customer=c, data={"custom_fields": {"tier": "bronze"}})
    assert exc.value.field == "custom_fields.tier"


def test_segment_rules_are_validated() -> None:
    with pytest.raises(ValidationFailed) as exc:
        segment_create(name="bad", rules={"lifecycle": ["vip"]})
    assert exc.value.code == "invalid_segment"
    with pytest.raises(ValidationFailed):
        segment_create(name="bad2", rules={"unknown_rule": 1})


def test_segment_filters_customers() -> None:
    org = OrganizationFactory()
    rich = customer_create(
        name="Rich", emails=["rich@x.org"], organization=org, custom_fields={"plan": "pro"}
    )
    purchase_create(customer=rich, purchased_at=timezone.now(), amount="900", product="P")
    customer_create(
        name="Poor", emails=["poor@x.org"], organization=org, custom_fields={"plan": "pro"}
    )
    segment = segment_create(
        name="Pro existing",
        rules={
            "lifecycle": ["existing"],
            "min_lifetime_value": "500",
            "custom_fields": {"plan": "pro"},
            "organization_ids": [org.pk],
        },
    )
    page = customer_list(
        user=UserFactory(), filters=CustomerFilters(segment_id=segment.pk), cursor=None, limit=50
    )
    assert [c.name for c in page.items] == ["Rich"]
    assert customer_segments(customer=rich) == [segment]
