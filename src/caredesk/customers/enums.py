from django.db import models
from django.utils.translation import gettext_lazy


class OrganizationKind(models.TextChoices):
    EXTERNAL = "external", gettext_lazy("External")
    INTERNAL = "internal", gettext_lazy("Internal (another department)")


class ContactKind(models.TextChoices):
    EMAIL = "email", gettext_lazy("Email")
    PHONE = "phone", gettext_lazy("Phone")
    SOCIAL = "social", gettext_lazy("Social handle")


class Lifecycle(models.TextChoices):
    POTENTIAL = "potential", gettext_lazy("Potential")
    EXISTING = "existing", gettext_lazy("Existing")
    FORMER = "former", gettext_lazy("Former")
