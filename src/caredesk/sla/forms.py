"""Forms for calendars and policies (the admin screens and Django admin); the services
check and save them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from caredesk.core.forms import ServiceForm
from caredesk.sla.models import BusinessCalendar, SlaPolicy
from caredesk.sla.services.policies import (
    POLICY_FIELDS,
    calendar_save,
    calendar_save_check,
    policy_check,
    policy_save,
)


class CalendarForm(ServiceForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "timezone", "hours", "holidays"]
        help_texts = {
            "timezone": gettext_lazy("An IANA time zone, e.g. Europe/Berlin or America/New_York."),
            "hours": gettext_lazy(
                'e.g. [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", '
                '"end": "17:00"}]; several ranges a day are allowed.'
            ),
            "holidays": 'e.g. ["2026-12-25", "2026-12-26"]',
        }

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        name = calendar_save_check(
            calendar=self.existing,
            name=data.get("name", ""),
            timezone_name=data.get("timezone", ""),
            hours=data.get("hours"),
            holidays=data.get("holidays") or [],
        )
        return {**data, "name": name}

    def service_save(self, data: dict[str, Any]) -> BusinessCalendar:
        return calendar_save(
            calendar=self.existing,
            name=data["name"],
            timezone_name=data["timezone"],
            hours=data["hours"],
            holidays=data.get("holidays") or [],
        )


class PolicyForm(ServiceForm):
    class Meta:
        model = SlaPolicy
        fields = list(POLICY_FIELDS)
        help_texts = {
            "conditions": gettext_lazy(
                'Empty for every ticket, or e.g. {"priority": ["urgent", "high"], '
                '"channel": ["email"]}; also type, organization, segment.'
            ),
        }

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        fields = {k: data[k] for k in POLICY_FIELDS if k in data}
        return {**data, **policy_check(policy=self.existing, data=fields)}

    def service_save(self, data: dict[str, Any]) -> SlaPolicy:
        fields = {k: data[k] for k in POLICY_FIELDS if k in data}
        return policy_save(policy=self.existing, data=fields)
