"""Forms and Django admin for configuration that one domain service checks and saves.

Mailboxes, skills, canned replies, custom fields, calendars and policies can be written
from an admin screen, over the API and in Django admin. Each has one service that checks
and saves it; the API calls that service, and the screens and Django admin use a
:class:`ServiceForm` whose ``clean`` runs the service's check (so its refusals land on
the form, field by field) and whose ``save`` is the service's save.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from caredesk.core.custom_fields import custom_field_check, custom_field_save
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import CustomField


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    """A model form whose checks and save are a domain service's."""

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        """The service's check of ``data``: the cleaned data, or ValidationFailed."""
        raise NotImplementedError

    def service_save(self, data: dict[str, Any]) -> Any:
        """The service's save of checked ``data`` (onto ``self.existing``, if any)."""
        raise NotImplementedError

    @property
    def existing(self) -> Any:
        return self.instance if self.instance.pk else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            return self.service_check(data)
        except ValidationFailed as exc:
            field = exc.field if exc.field in self.fields else None
            if field is None or field not in self.errors:  # a field's own error comes first
                self.add_error(field, exc.message)
            return data

    def save(self, commit: bool = True) -> Any:
        return self.service_save(self.cleaned_data)


class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic admin
    """Django admin over a ServiceForm: the form's save is the service's, so the admin
    writes nothing of its own. ``service_delete`` replaces a plain delete when set."""

    form: type[ServiceForm]

    def service_delete(self, obj: Any) -> None:
        obj.delete()

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        return form.save()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Saved by the service in save_form."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.service_delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.service_delete(obj)


class CustomFieldForm(ServiceForm):
    """A custom-field definition on the admin screen and in Django admin."""

    choices = forms.JSONField(
        required=False,
        help_text=gettext_lazy('For a choice field: a JSON list, e.g. ["gold", "silver"].'),
    )

    class Meta:
        model = CustomField
        fields = ["entity", "key", "label", "field_type", "choices", "required", "position"]

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        return custom_field_check(data)

    def service_save(self, data: dict[str, Any]) -> CustomField:
        return custom_field_save(field=self.existing, data=data)
