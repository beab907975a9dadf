from django.db import models
from django.utils.translation import gettext_lazy


class Role(models.TextChoices):
    CUSTOMER = "customer", gettext_lazy("Customer")
    AGENT = "agent", gettext_lazy("Agent")
    SUPERVISOR = "supervisor", gettext_lazy("Supervisor")
    ADMIN = "admin", gettext_lazy("Admin")


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
