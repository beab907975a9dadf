"""The messaging channel form of the admin screen and Django admin; the channel service
checks and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caredesk.channels.messaging.setup import CHANNEL_FIELDS, channel_check, channel_save
from caredesk.channels.models import MessagingChannel
from caredesk.core.forms import ServiceForm


class MessagingChannelForm(ServiceForm):
    outbound_url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label=gettext_lazy("outbound URL"),
        help_text=MessagingChannel._meta.get_field("outbound_url").help_text,
    )

    class Meta:
        model = MessagingChannel
        fields = [f.removesuffix("_id") for f in CHANNEL_FIELDS]

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        return channel_check(data)

    def service_save(self, data: dict[str, Any]) -> MessagingChannel:
        new = self.existing is None
        saved = channel_save(channel=self.existing, data=data)
        if new:
            self.saved_message = _(
                "Saved %(channel)s. Its signing secret (shown once; rotate it to get a new "
                "one): %(secret)s"
            ) % {"channel": saved, "secret": saved.secret}
        return saved
