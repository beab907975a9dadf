from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from caredesk.core.forms import ServiceForm
from caredesk.routing.models import Availability, Skill, Strategy
from caredesk.routing.services import skill_check, skill_save


class SkillForm(ServiceForm):
    class Meta:
        model = Skill
        fields = ["kind", "name"]

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        return skill_check(data)

    def service_save(self, data: dict[str, Any]) -> Skill:
        return skill_save(skill=self.existing, data=data)


class TeamRoutingForm(forms.Form):
    strategy = forms.ChoiceField(choices=Strategy.choices, label=gettext_lazy("Strategy"))
    rebalance_on_offline = forms.BooleanField(
        required=False, label=gettext_lazy("Rebalance when offline")
    )


class AgentRoutingForm(forms.Form):
    availability = forms.ChoiceField(
        choices=Availability.choices, label=gettext_lazy("Availability")
    )
    capacity = forms.IntegerField(min_value=0, max_value=1000, label=gettext_lazy("Capacity"))
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.order_by("kind", "name"),
        required=False,
        label=gettext_lazy("Skills"),
    )


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(
        choices=Availability.choices, label=gettext_lazy("Availability")
    )
