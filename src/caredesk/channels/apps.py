from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """Where customers reach caredesk: the portal now; mail, chat, phone and webhooks."""

    name = "caredesk.channels"
    label = "caredesk_channels"  # Django Channels owns the label "channels"
    verbose_name = "Channels"
