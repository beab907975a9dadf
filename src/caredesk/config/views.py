"""Admin screens for settings that belong to no single domain (custom fields)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from caredesk.accounts.gates import admin_required
from caredesk.core.models import CustomField
from caredesk.core.web import model_screen


class CustomFieldForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    choices = forms.JSONField(
        required=False, help_text='For a choice field: a JSON list, e.g. ["gold", "silver"].'
    )

    class Meta:
        model = CustomField
        fields = ["entity", "key", "label", "field_type", "choices", "required", "position"]

    def clean_choices(self) -> list[object]:
        value = self.cleaned_data.get("choices") or []
        if not isinstance(value, list):
            raise forms.ValidationError("Give a JSON list.")
        return value


@require_http_methods(["GET", "POST"])
@admin_required
def custom_fields(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=CustomFieldForm,
        objects=CustomField.objects.order_by("entity", "position", "key"),
        object_id=object_id,
        title="Custom fields",
        url_name="manage:custom_fields",
        columns=["key", "entity", "label", "field_type", "required"],
    )
