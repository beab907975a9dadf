"""People and organisations we serve, their contact points, purchases and segments."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel
from caredesk.customers.enums import ContactKind, OrganizationKind


class CrmSettings(models.Model):
    """The service organisation's CRM settings; a single row (pk=1)."""

    recency_window_days = models.PositiveIntegerField(
        default=365,
        help_text=gettext_lazy("A customer with a purchase within this many days is 'existing'."),
    )

    class Meta:
        verbose_name = "CRM settings"
        verbose_name_plural = "CRM settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recency_window_days__gte=1), name="crmsettings_window_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"recency window {self.recency_window_days} days"


class Organization(BaseModel):
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=10, choices=OrganizationKind.choices, default=OrganizationKind.EXTERNAL
    )
    domains = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Email domains whose senders belong here.")
    )
    shared_tickets = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Members may see every ticket of the organisation in the portal and API."
        ),
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="org_name_idx")]

    def __str__(self) -> str:
        return self.name


class Customer(BaseModel):
    """A person we serve. Purchase aggregates are kept up to date by purchase services."""

    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(
        max_length=10,
        blank=True,
        default="",
        db_default="",
        help_text=gettext_lazy(
            "The language of their emails, portal and surveys; empty for the site's (or, on "
            "pages, the browser's)."
        ),
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    first_purchase_at = models.DateTimeField(null=True, blank=True)
    last_purchase_at = models.DateTimeField(null=True, blank=True)
    purchase_count = models.PositiveIntegerField(default=0)
    lifetime_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    org_admin = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Sees all of the organisation's requests in the portal, shared or not."
        ),
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["last_purchase_at"], name="customer_last_purchase_idx"),
            models.Index(fields=["organization", "id"], name="customer_org_idx"),
        ]

    def __str__(self) -> str:
        return self.name or f"customer {self.pk}"

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""


class ContactPoint(BaseModel):
    """An email, phone number or social handle; unique across all customers."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    value = models.CharField(
        max_length=254, help_text=gettext_lazy("Normalised: lower-case email, E.164-ish phone.")
    )
    label = models.CharField(max_length=50, blank=True)
    is_primary = models.BooleanField(default=False)
    undeliverable = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="contactpoint_unique_value"),
        ]
        indexes = [models.Index(fields=["customer", "kind"], name="contact_customer_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class CustomerNote(BaseModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "created_at"], name="note_customer_idx")]

    def __str__(self) -> str:
        return f"note on {self.customer_id}"


class Purchase(BaseModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases")
    purchased_at = models.DateTimeField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    product = models.CharField(max_length=200)
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-purchased_at", "-id"]
        indexes = [models.Index(fields=["customer", "purchased_at"], name="purchase_customer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="purchase_amount_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.amount} {self.currency}"


class Segment(BaseModel):
    """A saved filter over customers; ``rules`` is validated by segments.SegmentRules."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    rules = models.JSONField(default=dict)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
