"""Users with a role, teams of agents, and hashed API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from caredesk.accounts.enums import STAFF_ROLES, Role
from caredesk.core.models import BaseModel


class User(AbstractUser):
    """A person who signs in: a customer, an agent, a supervisor or an admin."""

    email = models.EmailField("email address", max_length=254)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(
        max_length=10,
        blank=True,
        default="",
        db_default="",
        help_text=gettext_lazy(
            "The language of caredesk's pages for this member of staff; empty for the "
            "browser's. A customer's comes from their customer record."
        ),
    )
    customer = models.OneToOneField(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    email_notifications = models.BooleanField(
        default=False,
        db_default=False,
        verbose_name=gettext_lazy("email notifications"),
        help_text=gettext_lazy(
            "Email this member of staff each customer message on their tickets; "
            "replying to that email answers the customer."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email or self.username

    @property
    def is_staff_member(self) -> bool:
        """Agents, supervisors and admins: people who work tickets."""
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email or self.username


class Team(BaseModel):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(BaseModel):
    """A bearer token; only its SHA-256 is stored, the plain value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AccessSettings(models.Model):
    """Sign-in policy of the service organisation; a single row (pk=1)."""

    mfa_required_roles = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy(
            "Roles that must set up two-factor authentication before they work."
        ),
    )

    class Meta:
        verbose_name = "access settings"
        verbose_name_plural = "access settings"

    def __str__(self) -> str:
        roles = ", ".join(self.mfa_required_roles) or "no role"
        return f"two-factor required for {roles}"
