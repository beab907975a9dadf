"""Forms of the customer portal."""

from __future__ import annotations

from django import forms

from caredesk.tickets.forms import MultipleFileField


class RequestForm(forms.Form):
    subject = forms.CharField(max_length=250)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=100_000)
    attachments = MultipleFileField(label="Attachments (optional)")


class PortalReplyForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=100_000, label="Your reply"
    )
    attachments = MultipleFileField(label="Attachments (optional)")


class MagicLinkForm(forms.Form):
    email = forms.EmailField(label="Your email address")
