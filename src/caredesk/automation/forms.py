"""Admin forms for rules and webhooks; saving goes through the domain services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from caredesk.automation.models import WEBHOOK_EVENTS, Rule, WebhookSubscription
from caredesk.automation.services.rules import rule_save
from caredesk.automation.services.webhooks import subscription_save

CONDITIONS_HELP = (
    '{"match": "all", "conditions": [{"field": "priority", "op": "is", "value": "urgent"}]}'
    " — fields, operators and examples: docs/automation.md"
)
ACTIONS_HELP = (
    '[{"type": "add_tags", "tags": ["vip"]}, {"type": "notify", "to": "team", "text": "…"}]'
    " — set, assign, unassign, route, add_tags, remove_tags, note, notify, reply, webhook,"
    " escalate, require_skills"
)


class RuleForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    conditions = forms.JSONField(required=False, help_text=CONDITIONS_HELP)
    actions = forms.JSONField(help_text=ACTIONS_HELP)

    class Meta:
        model = Rule
        fields = ["name", "trigger", "conditions", "actions", "position", "active", "description"]

    def save(self, commit: bool = True) -> Rule:
        fields: dict[str, Any] = {k: self.cleaned_data[k] for k in self.Meta.fields}
        fields["conditions"] = fields["conditions"] or {}
        return rule_save(rule=self.instance if self.instance.pk else None, **fields)


class WebhookForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    url = forms.URLField(max_length=500, assume_scheme="https", label=gettext_lazy("URL"))
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in WEBHOOK_EVENTS], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "active", "allow_private"]

    def save(self, commit: bool = True) -> WebhookSubscription:
        new = self.instance.pk is None
        fields = {k: self.cleaned_data[k] for k in self.Meta.fields}
        saved = subscription_save(
            subscription=None if new else self.instance, actor_is_admin=True, **fields
        )
        if new:
            self.saved_message = (
                f"Saved {saved}. Its signing secret (shown once; rotate it to get a new one): "
                f"{saved.secret}"
            )
        return saved
