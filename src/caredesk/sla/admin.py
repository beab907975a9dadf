from typing import Any

from django import forms
from django.contrib import admin

from caredesk.core.errors import ValidationFailed
from caredesk.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from caredesk.sla.services import calendar_check, conditions_check


class CalendarForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = BusinessCalendar
        fields = ["name", "timezone", "hours", "holidays"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            calendar_check(
                timezone_name=data.get("timezone", ""),
                hours=data.get("hours"),
                holidays=data.get("holidays") or [],
            )
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None
        return data


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SlaPolicy
        fields = ["name", "position", "active", "conditions", "calendar",
                  "first_response_minutes", "next_response_minutes", "resolution_minutes",
                  "pause_when_pending", "warn_at_percent"]  # fmt: skip

    def clean_conditions(self) -> dict[str, Any]:
        try:
            return conditions_check(self.cleaned_data.get("conditions") or {})
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CalendarForm
    list_display = ("name", "timezone")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PolicyForm
    list_display = ("name", "position", "active", "calendar", "first_response_minutes",
                    "next_response_minutes", "resolution_minutes")  # fmt: skip
    list_editable = ("position", "active")


@admin.register(TicketSla)
class TicketSlaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("ticket", "policy", "first_response_due", "resolution_due")
    raw_id_fields = ("ticket",)
