"""Forms for calendars and policies (the admin screens and Django admin); saving goes
through the services, which check the definition."""

from __future__ import annotations

from typing import Any

from django import forms

from caredesk.core.errors import ValidationFailed
from caredesk.sla.models import BusinessCalendar, SlaPolicy
from caredesk.sla.services import (
    POLICY_FIELDS,
    calendar_check,
    calendar_save,
    conditions_check,
    policy_save,
)


class CalendarForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = BusinessCalendar
        fields = ["name", "timezone", "hours", "holidays"]
        help_texts = {
            "timezone": "An IANA time zone, e.g. Europe/Berlin or America/New_York.",
            "hours": 'e.g. [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", '
            '"end": "17:00"}]; several ranges a day are allowed.',
            "holidays": 'e.g. ["2026-12-25", "2026-12-26"]',
        }

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

    def save(self, commit: bool = True) -> BusinessCalendar:
        data = self.cleaned_data
        return calendar_save(
            calendar=self.instance if self.instance.pk else None,
            name=data["name"],
            timezone_name=data["timezone"],
            hours=data["hours"],
            holidays=data.get("holidays") or [],
        )


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SlaPolicy
        fields = list(POLICY_FIELDS)
        help_texts = {
            "conditions": 'Empty for every ticket, or e.g. {"priority": ["urgent", "high"], '
            '"channel": ["email"]}; also type, organization, segment.',
        }

    def clean_conditions(self) -> dict[str, Any]:
        try:
            return conditions_check(self.cleaned_data.get("conditions") or {})
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None

    def save(self, commit: bool = True) -> SlaPolicy:
        data = {k: self.cleaned_data[k] for k in POLICY_FIELDS if k in self.cleaned_data}
        return policy_save(policy=self.instance if self.instance.pk else None, data=data)
