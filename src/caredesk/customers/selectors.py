"""Read customers, organisations, purchases and segments for a user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import NotFound, PermissionDenied
from caredesk.core.pagination import Page, keyset_page
from caredesk.customers.lifecycle import lifecycle_of, lifecycle_reason
from caredesk.customers.models import ContactPoint, Customer, Organization, Purchase, Segment
from caredesk.customers.segments import lifecycle_q, rules_parse, rules_q
from caredesk.customers.services import contact_normalize, crm_settings_get


def customers_visible_to(*, user: User) -> QuerySet[Customer]:
    """All customers for staff; a customer sees only their own record."""
    if user.is_staff_member:
        return Customer.objects.all()
    if user.customer_id is None:
        return Customer.objects.none()
    return Customer.objects.filter(pk=user.customer_id)


def _with_contacts(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    return qs.select_related("organization").prefetch_related(
        Prefetch("contacts", queryset=ContactPoint.objects.order_by("-is_primary", "id"))
    )


def customer_get_for_user(*, user: User, customer_id: int) -> Customer:
    customer = _with_contacts(customers_visible_to(user=user)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("customer", customer_id)
    return customer


def customer_get_brief(*, user: User, customer_id: int) -> Customer:
    """A visible customer with its organisation, without contact points (one query)."""
    customer = (
        customers_visible_to(user=user)
        .select_related("organization")
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise NotFound("customer", customer_id)
    return customer


@dataclass
class CustomerFilters:
    organization_id: int | None = None
    lifecycle: str | None = None
    segment_id: int | None = None
    email: str | None = None


def customer_list(
    *, user: User, filters: CustomerFilters, cursor: str | None, limit: int
) -> Page[Customer]:
    qs = customers_visible_to(user=user)
    if filters.organization_id is not None:
        qs = qs.filter(organization_id=filters.organization_id)
    window = crm_settings_get().recency_window_days
    if filters.lifecycle:
        qs = qs.filter(lifecycle_q([filters.lifecycle], now=timezone.now(), window_days=window))
    if filters.segment_id is not None:
        segment = segment_get(segment_id=filters.segment_id)
        qs = qs.filter(rules_q(rules_parse(segment.rules), now=timezone.now(), window_days=window))
    if filters.email:
        value = contact_normalize(kind="email", value=filters.email)
        qs = qs.filter(contacts__kind="email", contacts__value=value)
    return keyset_page(_with_contacts(qs), ordering=("-id",), cursor=cursor, limit=limit)


def customer_lifecycle(*, customer: Customer, window_days: int | None = None) -> tuple[str, str]:
    """The lifecycle type and the sentence that explains it."""
    window = window_days or crm_settings_get().recency_window_days
    now = timezone.now()
    return (
        lifecycle_of(last_purchase_at=customer.last_purchase_at, now=now, window_days=window),
        lifecycle_reason(last_purchase_at=customer.last_purchase_at, now=now, window_days=window),
    )


def customer_segments(*, customer: Customer, among: Iterable[int] | None = None) -> list[Segment]:
    """The segments whose rules this customer satisfies (one query per segment); only
    those ``among`` the given segment ids when given."""
    window = crm_settings_get().recency_window_days
    now = timezone.now()
    segments = Segment.objects.order_by("name")
    if among is not None:
        segments = segments.filter(pk__in=list(among))
    return [
        s
        for s in segments
        if Customer.objects.filter(
            rules_q(rules_parse(s.rules), now=now, window_days=window), pk=customer.pk
        ).exists()
    ]


def organizations_visible_to(*, user: User) -> QuerySet[Organization]:
    if user.is_staff_member:
        return Organization.objects.all()
    customer = user.customer
    if customer is None or customer.organization_id is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk=customer.organization_id)


def organization_get_for_user(*, user: User, organization_id: int) -> Organization:
    org = organizations_visible_to(user=user).filter(pk=organization_id).first()
    if org is None:
        raise NotFound("organization", organization_id)
    return org


def organization_list(*, user: User, cursor: str | None, limit: int) -> Page[Organization]:
    return keyset_page(
        organizations_visible_to(user=user), ordering=("id",), cursor=cursor, limit=limit
    )


def purchase_list(
    *, user: User, customer_id: int | None, cursor: str | None, limit: int
) -> Page[Purchase]:
    if not user.is_staff_member:
        raise PermissionDenied(_("Purchases are for agents."))
    qs = Purchase.objects.all()
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return keyset_page(qs, ordering=("-id",), cursor=cursor, limit=limit)


def segment_get(*, segment_id: int) -> Segment:
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise NotFound("segment", segment_id)
    return segment


def segment_members(*, segment: Segment) -> QuerySet[Customer]:
    """The customers a segment's rules select now."""
    window = crm_settings_get().recency_window_days
    rules = rules_q(rules_parse(segment.rules), now=timezone.now(), window_days=window)
    return Customer.objects.filter(rules).order_by("id")


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.order_by("name")


def customer_emails(*, customer_ids: Iterable[int], deliverable: bool = False) -> dict[int, str]:
    """Each customer's primary email (else their first), in one query without models;
    ``deliverable``: only addresses that can receive mail (not marked by a bounce)."""
    wanted = ContactPoint.objects.filter(customer_id__in=set(customer_ids), kind="email")
    if deliverable:
        wanted = wanted.filter(undeliverable=False)
    rows = wanted.order_by("customer_id", "-is_primary", "id").values_list("customer_id", "value")
    emails: dict[int, str] = {}
    for customer_id, value in rows:
        emails.setdefault(customer_id, value)
    return emails
