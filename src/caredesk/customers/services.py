"""Change customers, organisations, contact points, notes, purchases and segments."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils.translation import gettext as _

from caredesk.accounts.enums import Role
from caredesk.accounts.models import User
from caredesk.accounts.services import normalize_email, user_create
from caredesk.core.cache import cached
from caredesk.core.custom_fields import custom_fields_clean
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.i18n import language_check
from caredesk.core.models import CustomFieldEntity
from caredesk.customers.enums import ContactKind, OrganizationKind
from caredesk.customers.errors import CustomerErrorCode
from caredesk.customers.models import (
    ContactPoint,
    CrmSettings,
    Customer,
    CustomerNote,
    Organization,
    Purchase,
    Segment,
)
from caredesk.customers.segments import rules_parse

_PHONE_JUNK = re.compile(r"[\s\-().]")
_PHONE_OK = re.compile(r"^\+?[0-9]{3,20}$")


def contact_normalize(*, kind: str, value: str) -> str:
    """The canonical form of a contact point, or ValidationFailed."""
    raw = (value or "").strip()
    if kind == ContactKind.EMAIL:
        return normalize_email(raw)
    if kind == ContactKind.PHONE:
        phone = _PHONE_JUNK.sub("", raw)
        if phone.startswith("00"):
            phone = "+" + phone[2:]
        if not _PHONE_OK.match(phone):
            raise ValidationFailed(
                CustomerErrorCode.INVALID_CONTACT,
                _("Not a valid phone number: %(value)s.") % {"value": repr(value)},
                field="phones",
            )
        return phone
    if kind == ContactKind.SOCIAL:
        if not raw or len(raw) > 254 or any(c.isspace() for c in raw):
            raise ValidationFailed(
                CustomerErrorCode.INVALID_CONTACT,
                _("Not a valid social handle: %(value)s.") % {"value": repr(value)},
                field="socials",
            )
        return raw.lower()
    raise ValidationFailed(
        CustomerErrorCode.INVALID_CONTACT,
        _("Unknown contact kind %(kind)s.") % {"kind": repr(kind)},
    )


def crm_settings_get() -> CrmSettings:
    obj, _ = CrmSettings.objects.get_or_create(
        pk=1, defaults={"recency_window_days": settings.CAREDESK_RECENCY_DAYS_DEFAULT}
    )
    return obj


def crm_settings_update(*, recency_window_days: int) -> CrmSettings:
    if recency_window_days < 1 or recency_window_days > 36500:
        raise ValidationFailed(
            CustomerErrorCode.INVALID_WINDOW,
            _("The recency window must be 1 to 36500 days."),
            field="recency_window_days",
        )
    obj = crm_settings_get()
    obj.recency_window_days = recency_window_days
    obj.save()
    return obj


def _clean_name(name: str, *, field: str = "name", required: bool = False) -> str:
    name = (name or "").strip()
    if required and not name:
        raise ValidationFailed(
            CustomerErrorCode.INVALID_NAME, _("A name is required."), field=field
        )
    if len(name) > 200:
        raise ValidationFailed(
            CustomerErrorCode.INVALID_NAME, _("The name is too long."), field=field
        )
    return name


def _clean_domains(domains: list[str]) -> list[str]:
    return sorted({d.strip().lower() for d in domains if d.strip()})


def organization_create(
    *,
    name: str,
    kind: str = OrganizationKind.EXTERNAL,
    domains: list[str] | None = None,
    shared_tickets: bool = False,
    custom_fields: dict[str, Any] | None = None,
    notes: str = "",
    external_id: str | None = None,
) -> Organization:
    if kind not in OrganizationKind.values:
        raise ValidationFailed(
            CustomerErrorCode.INVALID_KIND, _("kind must be internal or external."), field="kind"
        )
    if external_id and Organization.objects.filter(external_id=external_id).exists():
        raise Conflict(
            CustomerErrorCode.EXTERNAL_ID_TAKEN,
            _("An organization with external_id %(external_id)s exists.")
            % {"external_id": repr(external_id)},
        )
    return Organization.objects.create(
        name=_clean_name(name, required=True),
        kind=kind,
        domains=_clean_domains(domains or []),
        shared_tickets=shared_tickets,
        custom_fields=custom_fields_clean(
            entity=CustomFieldEntity.ORGANIZATION, values=custom_fields or {}
        ),
        notes=notes,
        external_id=external_id or None,
    )


def organization_update(*, organization: Organization, data: dict[str, Any]) -> Organization:
    """Update the given fields (name, kind, domains, shared_tickets, custom_fields, notes)."""
    if "name" in data:
        organization.name = _clean_name(data["name"], required=True)
    if "kind" in data:
        if data["kind"] not in OrganizationKind.values:
            raise ValidationFailed(
                CustomerErrorCode.INVALID_KIND,
                _("kind must be internal or external."),
                field="kind",
            )
        organization.kind = data["kind"]
    if "domains" in data:
        organization.domains = _clean_domains(data["domains"])
    if "shared_tickets" in data:
        organization.shared_tickets = bool(data["shared_tickets"])
    if "notes" in data:
        organization.notes = data["notes"]
    if "custom_fields" in data:
        organization.custom_fields = custom_fields_clean(
            entity=CustomFieldEntity.ORGANIZATION,
            values=data["custom_fields"],
            current=organization.custom_fields,
        )
    organization.save()
    return organization


def _contacts_check_free(pairs: list[tuple[str, str]], *, customer: Customer | None) -> None:
    for kind, value in pairs:
        taken = ContactPoint.objects.filter(kind=kind, value=value)
        if customer is not None:
            taken = taken.exclude(customer=customer)
        if taken.exists():
            raise Conflict(
                CustomerErrorCode.CONTACT_TAKEN,
                _("The %(kind)s %(value)s belongs to another customer.")
                % {"kind": kind, "value": value},
                field=f"{kind}s",
            )


def _contact_pairs(
    emails: list[str], phones: list[str], socials: list[str]
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for kind, values in (
        (ContactKind.EMAIL, emails),
        (ContactKind.PHONE, phones),
        (ContactKind.SOCIAL, socials),
    ):
        for value in values:
            pair = (str(kind), contact_normalize(kind=kind, value=value))
            if pair not in pairs:
                pairs.append(pair)
    return pairs


@transaction.atomic
def customer_create(
    *,
    name: str = "",
    emails: list[str] | None = None,
    phones: list[str] | None = None,
    socials: list[str] | None = None,
    organization: Organization | None = None,
    custom_fields: dict[str, Any] | None = None,
    external_id: str | None = None,
    created_at: dt.datetime | None = None,
    language: str = "",
) -> Customer:
    """Create a customer with contact points; the first email is the primary one."""
    pairs = _contact_pairs(emails or [], phones or [], socials or [])
    _contacts_check_free(pairs, customer=None)
    if external_id and Customer.objects.filter(external_id=external_id).exists():
        raise Conflict(
            CustomerErrorCode.EXTERNAL_ID_TAKEN,
            _("A customer with external_id %(external_id)s exists.")
            % {"external_id": repr(external_id)},
        )
    return _customer_insert(
        name=name,
        pairs=pairs,
        organization=organization,
        custom_fields=custom_fields,
        external_id=external_id,
        created_at=created_at,
        language=language_check(language),
    )


def _customer_insert(
    *,
    name: str,
    pairs: list[tuple[str, str]],
    organization: Organization | None = None,
    custom_fields: dict[str, Any] | None = None,
    external_id: str | None = None,
    created_at: dt.datetime | None = None,
    language: str = "",
) -> Customer:
    """Write a new customer and its contact points (checked by the caller; a contact
    point taken meanwhile is a Conflict)."""
    if organization is None:
        organization = _organization_for_emails([v for k, v in pairs if k == ContactKind.EMAIL])
    customer = Customer(
        name=_clean_name(name),
        language=language,
        organization=organization,
        external_id=external_id or None,
        custom_fields=custom_fields_clean(
            entity=CustomFieldEntity.CUSTOMER, values=custom_fields or {}
        ),
    )
    if created_at is not None:
        customer.created_at = created_at
    customer.save()
    _contacts_add(customer, pairs, new=True)
    return customer


ORG_DOMAINS_CACHE_KEY = "caredesk:customers:organization-domains"


def _organization_domains() -> dict[str, int]:
    """Which organisation claims each email domain (the first by id); cached, and
    dropped when an organisation changes (see CustomersConfig.ready)."""

    def load() -> dict[str, int]:
        claimed: dict[str, int] = {}
        for pk, domains in Organization.objects.order_by("id").values_list("id", "domains"):
            for domain in domains or []:
                claimed.setdefault(str(domain).lower(), pk)
        return claimed

    return cached(ORG_DOMAINS_CACHE_KEY, load, local=True)


def _organization_for_emails(emails: list[str]) -> Organization | None:
    """The organisation that claims the domain of one of these emails, if any."""
    claimed = _organization_domains()
    for email in emails:
        pk = claimed.get(email.rsplit("@", 1)[-1].lower())
        if pk is not None:
            return Organization.objects.filter(pk=pk).first()
    return None


def _contacts_add(customer: Customer, pairs: list[tuple[str, str]], *, new: bool = False) -> None:
    """Add contact points the customer lacks; the first of a kind is the primary one.
    Called inside a transaction that a Conflict rolls back (``new``: the customer has
    none yet)."""
    has_primary: set[str] = set()
    if not new:
        has_primary = set(
            ContactPoint.objects.filter(customer=customer, is_primary=True).values_list(
                "kind", flat=True
            )
        )
    for kind, value in pairs:
        if (
            not new
            and ContactPoint.objects.filter(customer=customer, kind=kind, value=value).exists()
        ):
            continue
        try:
            ContactPoint.objects.create(
                customer=customer, kind=kind, value=value, is_primary=kind not in has_primary
            )
        except IntegrityError:
            raise Conflict(
                CustomerErrorCode.CONTACT_TAKEN,
                _("The %(kind)s %(value)s belongs to another customer.")
                % {"kind": kind, "value": value},
            ) from None
        has_primary.add(kind)


@transaction.atomic
def customer_update(*, customer: Customer, data: dict[str, Any]) -> Customer:
    """Update name, language, organization, custom_fields, org_admin; add
    emails/phones/socials."""
    if "name" in data:
        customer.name = _clean_name(data["name"])
    if data.get("language") is not None:
        customer.language = language_check(data["language"])
    if data.get("org_admin") is not None:
        customer.org_admin = bool(data["org_admin"])
    if "organization" in data:
        customer.organization = data["organization"]
    if "custom_fields" in data:
        customer.custom_fields = custom_fields_clean(
            entity=CustomFieldEntity.CUSTOMER,
            values=data["custom_fields"],
            current=customer.custom_fields,
        )
    customer.save()
    pairs = _contact_pairs(
        data.get("emails") or [], data.get("phones") or [], data.get("socials") or []
    )
    _contacts_check_free(pairs, customer=customer)
    _contacts_add(customer, pairs)
    return customer


def customer_get_or_create_by_email(*, email: str, name: str = "", batch: bool = False) -> Customer:
    """The customer owning this email, created with it if nobody does.

    ``batch``: the caller (mail filed in batches) looked the address up itself in its
    transaction and files the whole batch again one message at a time on any clash;
    then neither the look-up nor a savepoint is repeated here."""
    return customer_get_or_create_by_contact(
        kind=ContactKind.EMAIL, value=email, name=name, batch=batch
    )


def customer_get_or_create_by_contact(
    *, kind: str, value: str, name: str = "", batch: bool = False
) -> Customer:
    """The customer owning this contact point (an email, a phone number, a handle on a
    messaging channel), created with it if nobody does; see the email case above."""
    value = contact_normalize(kind=kind, value=value)
    pairs = [(str(kind), value)]
    if batch:
        return _customer_insert(name=name, pairs=pairs)
    contact = ContactPoint.objects.select_related("customer").filter(kind=kind, value=value).first()
    if contact is not None:
        return contact.customer
    try:
        with transaction.atomic():  # nobody has the contact: a savepoint, then the insert
            return _customer_insert(name=name, pairs=pairs)
    except Conflict:  # created concurrently: take theirs
        return ContactPoint.objects.select_related("customer").get(kind=kind, value=value).customer


def customer_note_add(*, customer: Customer, author: Any, text: str) -> CustomerNote:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(CustomerErrorCode.EMPTY_NOTE, _("A note needs text."), field="text")
    return CustomerNote.objects.create(customer=customer, author=author, text=text)


def _amount(value: object) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            CustomerErrorCode.INVALID_AMOUNT,
            _("Not an amount: %(value)s.") % {"value": repr(value)},
            field="amount",
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValidationFailed(
            CustomerErrorCode.INVALID_AMOUNT,
            _("amount must be between 0 and 10^10."),
            field="amount",
        )
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def purchase_create(
    *,
    customer: Customer,
    purchased_at: dt.datetime,
    amount: object,
    product: str,
    currency: str = "EUR",
    external_id: str | None = None,
) -> Purchase:
    """Record a purchase and refresh the customer's purchase aggregates."""
    product = (product or "").strip()
    if not product:
        raise ValidationFailed(
            CustomerErrorCode.INVALID_PRODUCT, _("A purchase needs a product."), field="product"
        )
    currency = (currency or "EUR").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValidationFailed(
            CustomerErrorCode.INVALID_CURRENCY,
            _("currency must be a 3-letter ISO code."),
            field="currency",
        )
    if external_id and Purchase.objects.filter(external_id=external_id).exists():
        raise Conflict(
            CustomerErrorCode.EXTERNAL_ID_TAKEN,
            _("A purchase with external_id %(external_id)s exists.")
            % {"external_id": repr(external_id)},
        )
    purchase = Purchase.objects.create(
        customer=customer,
        purchased_at=purchased_at,
        amount=_amount(amount),
        currency=currency,
        product=product[:200],
        external_id=external_id or None,
    )
    customer_purchase_totals_refresh(customer=customer)
    return purchase


def customer_purchase_totals_refresh(*, customer: Customer) -> None:
    """Recompute first/last purchase, count and lifetime value from the purchases."""
    totals = Purchase.objects.filter(customer=customer).aggregate(
        first=Min("purchased_at"), last=Max("purchased_at"), n=Count("id"), value=Sum("amount")
    )
    Customer.objects.filter(pk=customer.pk).update(
        first_purchase_at=totals["first"],
        last_purchase_at=totals["last"],
        purchase_count=totals["n"],
        lifetime_value=totals["value"] or Decimal("0"),
    )
    customer.refresh_from_db(
        fields=["first_purchase_at", "last_purchase_at", "purchase_count", "lifetime_value"]
    )


def segment_create(*, name: str, rules: object, description: str = "") -> Segment:
    parsed = rules_parse(rules)
    name = _clean_name(name, required=True)
    if Segment.objects.filter(name=name).exists():
        raise Conflict(
            CustomerErrorCode.SEGMENT_EXISTS,
            _("A segment named %(name)s exists.") % {"name": repr(name)},
            field="name",
        )
    return Segment.objects.create(
        name=name, description=description, rules=parsed.model_dump(mode="json", exclude_none=True)
    )


def customer_account_create(
    *,
    email: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    check_password: bool = True,
    email_verified: bool | None = True,
) -> User:
    """A customer's sign-in account, linked to the customer record with that email
    (created if nobody has it yet, so history imported earlier is theirs). Arguments as
    ``accounts.services.user_create``; nothing is kept when the account is refused."""
    with transaction.atomic():
        name = f"{first_name} {last_name}".strip()
        customer = customer_get_or_create_by_email(email=normalize_email(email), name=name)
        return user_create(
            email=email,
            role=Role.CUSTOMER,
            password=password,
            first_name=first_name,
            last_name=last_name,
            check_password=check_password,
            email_verified=email_verified,
            customer_id=customer.pk,
        )
