from django.contrib import admin

from caredesk.channels.mail.forms import MailboxForm
from caredesk.channels.mail.mailboxes import mailbox_delete
from caredesk.channels.messaging.forms import MessagingChannelForm
from caredesk.channels.models import Mailbox, MessagingChannel
from caredesk.core.forms import ServiceAdmin


@admin.register(Mailbox)
class MailboxAdmin(ServiceAdmin):
    """Mailboxes in Django admin, checked and saved by the same service as the admin
    screen and the API."""

    form = MailboxForm
    list_display = ("name", "address", "team", "imap_host", "smtp_host", "active")

    def service_delete(self, obj: Mailbox) -> None:
        mailbox_delete(mailbox=obj)


@admin.register(MessagingChannel)
class MessagingChannelAdmin(ServiceAdmin):
    """Messaging channels in Django admin, through the same service as the admin screen."""

    form = MessagingChannelForm
    list_display = ("name", "adapter", "outbound_url", "team", "active")
