"""The scheduled-report form, saved through the service (recipients and time zone
checked there)."""

from __future__ import annotations

from typing import Any

from django import forms

from caredesk.analytics.models import ScheduledReport
from caredesk.analytics.reports import report_save

FIELDS = ["name", "recipients", "frequency", "format", "tz", "language", "team", "active"]


class ScheduledReportForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = ScheduledReport
        fields = FIELDS
        widgets = {"recipients": forms.Textarea(attrs={"rows": 3})}

    def save(self, commit: bool = True) -> ScheduledReport:
        data: dict[str, Any] = {k: self.cleaned_data[k] for k in FIELDS}
        return report_save(report=self.instance if self.instance.pk else None, data=data)
