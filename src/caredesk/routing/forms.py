from __future__ import annotations

from django import forms

from caredesk.routing.models import Availability, Skill, Strategy


class SkillForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = Skill
        fields = ["kind", "name"]


class TeamRoutingForm(forms.Form):
    strategy = forms.ChoiceField(choices=Strategy.choices)
    rebalance_on_offline = forms.BooleanField(required=False, label="Rebalance when offline")


class AgentRoutingForm(forms.Form):
    availability = forms.ChoiceField(choices=Availability.choices)
    capacity = forms.IntegerField(min_value=0, max_value=1000)
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.order_by("kind", "name"), required=False
    )


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(choices=Availability.choices)
