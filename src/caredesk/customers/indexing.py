"""What the search index holds for a customer."""

from __future__ import annotations

from caredesk.customers.models import Customer
from caredesk.search.models import DocKind
from caredesk.search.services import search_entry_put


def search_index_customer(*, customer: Customer) -> None:
    """(Re)index a customer: name, contact points and organisation name."""
    contacts = list(customer.contacts.values_list("value", flat=True))
    org = customer.organization.name if customer.organization_id and customer.organization else ""
    search_entry_put(
        kind=DocKind.CUSTOMER,
        object_id=customer.pk,
        customer_id=customer.pk,
        organization_id=customer.organization_id,
        title=customer.name,
        body=" ".join([*contacts, org]),
    )
