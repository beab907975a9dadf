from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from caredesk.chat.models import ChatWidget
from caredesk.chat.widgets import FIELDS, widget_check, widget_save
from caredesk.core.forms import ServiceForm


class _ListField(forms.CharField):
    """A list typed as text, one item a line or separated by commas."""

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value


class ChatWidgetForm(ServiceForm):
    allowed_origins = _ListField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("allowed origins"),
        help_text=gettext_lazy("One site a line: https://www.example.com"),
    )  # fmt: skip
    topics = _ListField(required=False, label=gettext_lazy("topics"),
                        help_text=gettext_lazy("Separated by commas."))  # fmt: skip

    class Meta:
        model = ChatWidget
        fields = list(FIELDS)

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        return widget_check(data)

    def service_save(self, data: dict[str, Any]) -> ChatWidget:
        return widget_save(widget=self.existing, data=data)
