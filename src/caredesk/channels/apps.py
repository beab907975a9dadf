from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """Where customers reach caredesk: the portal now; mail, chat, phone and webhooks."""

    name = "caredesk.channels"
    label = "caredesk_channels"  # Django Channels owns the label "channels"
    verbose_name = "Channels"

    def ready(self) -> None:
        from caredesk.accounts.models import User
        from caredesk.channels.mail.thread import (
            OWN_ADDRESSES_CACHE_KEY,
            STAFF_ADDRESSES_CACHE_KEY,
        )
        from caredesk.channels.models import Mailbox
        from caredesk.core.cache import clear_when_changed

        clear_when_changed(Mailbox, keys=lambda: [OWN_ADDRESSES_CACHE_KEY])
        clear_when_changed(User, keys=lambda: [STAFF_ADDRESSES_CACHE_KEY])
