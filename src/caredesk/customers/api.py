"""Customers, organisations, purchases and segments over JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from caredesk.accounts.gates import actor, staff_actor
from caredesk.core.api import PageOut, page
from caredesk.core.errors import ValidationFailed
from caredesk.core.schemas import InputSchema
from caredesk.customers.errors import CustomerErrorCode
from caredesk.customers.indexing import search_index_customer
from caredesk.customers.lifecycle import lifecycle_of, lifecycle_reason
from caredesk.customers.models import Customer, Organization, Purchase, Segment
from caredesk.customers.schemas import (
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    NoteIn,
    NoteOut,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    PurchaseIn,
    PurchaseOut,
    SegmentIn,
    SegmentOut,
)
from caredesk.customers.selectors import (
    CustomerFilters,
    customer_get_for_user,
    customer_list,
    organization_get_for_user,
    organization_list,
    purchase_list,
    segment_get,
    segment_list,
)
from caredesk.customers.services import (
    crm_settings_get,
    customer_create,
    customer_note_add,
    customer_update,
    organization_create,
    organization_update,
    purchase_create,
    segment_create,
)

customers = Router(tags=["customers"])
organizations = Router(tags=["organizations"])
purchases = Router(tags=["purchases"])
segments = Router(tags=["segments"])


def _staff(request: HttpRequest) -> Any:
    return staff_actor(request)


def customer_out(c: Customer, *, window: int, now: dt.datetime) -> dict[str, Any]:
    contacts = list(c.contacts.all())
    email = next((x.value for x in contacts if x.kind == "email"), None)
    return {
        "id": c.pk,
        "name": c.name,
        "language": c.language,
        "email": email,
        "contacts": [
            {
                "kind": x.kind,
                "value": x.value,
                "is_primary": x.is_primary,
                "undeliverable": x.undeliverable,
            }
            for x in contacts
        ],
        "organization": {"id": c.organization.pk, "name": c.organization.name}
        if c.organization
        else None,
        "lifecycle": lifecycle_of(last_purchase_at=c.last_purchase_at, now=now, window_days=window),
        "lifecycle_reason": lifecycle_reason(
            last_purchase_at=c.last_purchase_at, now=now, window_days=window
        ),
        "lifetime_value": c.lifetime_value,
        "purchase_count": c.purchase_count,
        "org_admin": c.org_admin,
        "last_purchase_at": c.last_purchase_at,
        "custom_fields": c.custom_fields,
        "external_id": c.external_id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def _one(c: Customer) -> dict[str, Any]:
    return customer_out(c, window=crm_settings_get().recency_window_days, now=timezone.now())


class CustomerQuery(InputSchema):
    organization_id: int | None = None
    lifecycle: Literal["potential", "existing", "former"] | None = None
    segment_id: int | None = None
    email: str | None = None
    cursor: str | None = None
    limit: int = 50


@customers.get("", response=PageOut[CustomerOut])
def list_customers(request: HttpRequest, q: Query[CustomerQuery]) -> dict[str, Any]:
    user = _staff(request)
    result = customer_list(
        user=user,
        cursor=q.cursor,
        limit=q.limit,
        filters=CustomerFilters(
            organization_id=q.organization_id,
            lifecycle=q.lifecycle,
            segment_id=q.segment_id,
            email=q.email,
        ),
    )
    window, now = crm_settings_get().recency_window_days, timezone.now()
    return page([customer_out(c, window=window, now=now) for c in result.items], result.next_cursor)


@customers.post("", response={201: CustomerOut})
def create_customer(request: HttpRequest, body: CustomerIn) -> Status[dict[str, Any]]:
    user = _staff(request)
    org = (
        organization_get_for_user(user=user, organization_id=body.organization_id)
        if body.organization_id
        else None
    )
    c = customer_create(
        name=body.name,
        emails=body.emails,
        phones=body.phones,
        socials=body.socials,
        organization=org,
        custom_fields=body.custom_fields,
        external_id=body.external_id,
        language=body.language,
    )
    search_index_customer(customer=c)
    return Status(201, _one(customer_get_for_user(user=user, customer_id=c.pk)))


@customers.get("/{customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    return _one(customer_get_for_user(user=actor(request), customer_id=customer_id))


@customers.patch("/{customer_id}", response=CustomerOut)
def patch_customer(request: HttpRequest, customer_id: int, body: CustomerPatch) -> dict[str, Any]:
    user = _staff(request)
    c = customer_get_for_user(user=user, customer_id=customer_id)
    data = body.model_dump(exclude_unset=True)
    if "organization_id" in data:
        org_id = data.pop("organization_id")
        data["organization"] = (
            organization_get_for_user(user=user, organization_id=org_id) if org_id else None
        )
    customer_update(customer=c, data=data)
    search_index_customer(customer=c)
    return _one(customer_get_for_user(user=user, customer_id=c.pk))


@customers.get("/{customer_id}/notes", response=list[NoteOut])
def notes(request: HttpRequest, customer_id: int) -> list[dict[str, Any]]:
    user = _staff(request)
    c = customer_get_for_user(user=user, customer_id=customer_id)
    return [
        {
            "id": n.pk,
            "text": n.text,
            "author_email": n.author.email if n.author else None,
            "created_at": n.created_at,
        }
        for n in c.notes.select_related("author")
    ]


@customers.post("/{customer_id}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, customer_id: int, body: NoteIn) -> Status[dict[str, Any]]:
    user = _staff(request)
    c = customer_get_for_user(user=user, customer_id=customer_id)
    n = customer_note_add(customer=c, author=user, text=body.text)
    return Status(
        201, {"id": n.pk, "text": n.text, "author_email": user.email, "created_at": n.created_at}
    )


@organizations.get("", response=PageOut[OrganizationOut])
def list_organizations(
    request: HttpRequest, cursor: str | None = None, limit: int = 50
) -> dict[str, Any]:
    result = organization_list(user=actor(request), cursor=cursor, limit=limit)
    return page(result.items, result.next_cursor)


@organizations.post("", response={201: OrganizationOut})
def create_organization(request: HttpRequest, body: OrganizationIn) -> Status[Organization]:
    _staff(request)
    return Status(201, organization_create(**body.model_dump()))


@organizations.get("/{organization_id}", response=OrganizationOut)
def get_organization(request: HttpRequest, organization_id: int) -> Organization:
    return organization_get_for_user(user=actor(request), organization_id=organization_id)


@organizations.patch("/{organization_id}", response=OrganizationOut)
def patch_organization(
    request: HttpRequest, organization_id: int, body: OrganizationPatch
) -> Organization:
    user = _staff(request)
    org = organization_get_for_user(user=user, organization_id=organization_id)
    return organization_update(organization=org, data=body.model_dump(exclude_unset=True))


@purchases.get("", response=PageOut[PurchaseOut])
def list_purchases(
    request: HttpRequest, customer_id: int | None = None, cursor: str | None = None, limit: int = 50
) -> dict[str, Any]:
    result = purchase_list(user=actor(request), customer_id=customer_id, cursor=cursor, limit=limit)
    return page(result.items, result.next_cursor)


@purchases.post("", response={201: PurchaseOut})
def create_purchase(request: HttpRequest, body: PurchaseIn) -> Status[Purchase]:
    user = _staff(request)
    if timezone.is_naive(body.purchased_at):
        raise ValidationFailed(
            CustomerErrorCode.INVALID_DATE,
            _("purchased_at needs a time zone."),
            field="purchased_at",
        )
    customer = customer_get_for_user(user=user, customer_id=body.customer_id)
    return Status(
        201,
        purchase_create(
            customer=customer,
            purchased_at=body.purchased_at,
            amount=body.amount,
            currency=body.currency,
            product=body.product,
            external_id=body.external_id,
        ),
    )


@segments.get("", response=list[SegmentOut])
def list_segments(request: HttpRequest) -> list[Segment]:
    _staff(request)
    return list(segment_list())


@segments.post("", response={201: SegmentOut})
def create_segment(request: HttpRequest, body: SegmentIn) -> Status[Segment]:
    _staff(request)
    segment = segment_create(name=body.name, description=body.description, rules=body.rules)
    return Status(201, segment)


@segments.get("/{segment_id}", response=SegmentOut)
def get_segment(request: HttpRequest, segment_id: int) -> Segment:
    _staff(request)
    return segment_get(segment_id=segment_id)
