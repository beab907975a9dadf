"""Forms of the customer portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from caredesk.tickets.forms import MultipleFileField


class RequestForm(forms.Form):
    subject = forms.CharField(max_length=250, label=gettext_lazy("Subject"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=100_000,
        label=gettext_lazy("Description"),
    )
    attachments = MultipleFileField(label=gettext_lazy("Attachments (optional)"))


class PortalReplyForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=100_000,
        label=gettext_lazy("Your reply"),
    )
    attachments = MultipleFileField(label=gettext_lazy("Attachments (optional)"))


class MagicLinkForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your email address"))
