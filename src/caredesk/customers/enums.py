from django.db import models


class OrganizationKind(models.TextChoices):
    EXTERNAL = "external", "External"
    INTERNAL = "internal", "Internal (another department)"


class ContactKind(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    SOCIAL = "social", "Social handle"


class Lifecycle(models.TextChoices):
    POTENTIAL = "potential", "Potential"
    EXISTING = "existing", "Existing"
    FORMER = "former", "Former"
