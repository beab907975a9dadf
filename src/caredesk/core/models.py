"""Shared model bases and the custom-field definitions used by several domains."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class BaseModel(models.Model):
    """created_at/updated_at for every model; both may be set explicitly on import."""

    created_at = models.DateTimeField(default=timezone.now, db_index=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Stamp updated_at on every update (a save limited to some fields includes it);
        a new row keeps the times it was given, so history can be written as it was."""
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "updated_at" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "updated_at"]
            self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class CustomFieldEntity(models.TextChoices):
    TICKET = "ticket", gettext_lazy("Ticket")
    CUSTOMER = "customer", gettext_lazy("Customer")
    ORGANIZATION = "organization", gettext_lazy("Organization")


class CustomFieldType(models.TextChoices):
    TEXT = "text", gettext_lazy("Text")
    NUMBER = "number", gettext_lazy("Number")
    BOOLEAN = "boolean", gettext_lazy("Yes/no")
    DATE = "date", gettext_lazy("Date")
    CHOICE = "choice", gettext_lazy("Choice")


class CustomField(BaseModel):
    """An admin-defined field on tickets, customers or organisations.

    Values live in the entity's ``custom_fields`` JSON column under ``key``; services
    validate them against these definitions (see core.custom_fields).
    """

    entity = models.CharField(
        max_length=20, choices=CustomFieldEntity.choices, verbose_name=gettext_lazy("entity")
    )
    key = models.SlugField(max_length=64, verbose_name=gettext_lazy("key"))
    label = models.CharField(max_length=120, verbose_name=gettext_lazy("label"))
    field_type = models.CharField(
        max_length=10,
        choices=CustomFieldType.choices,
        default=CustomFieldType.TEXT,
        verbose_name=gettext_lazy("field type"),
    )
    choices = models.JSONField(default=list, blank=True, verbose_name=gettext_lazy("choices"))
    required = models.BooleanField(default=False, verbose_name=gettext_lazy("required"))
    position = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("position"))

    class Meta:
        ordering = ["entity", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="customfield_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.entity}.{self.key}"
