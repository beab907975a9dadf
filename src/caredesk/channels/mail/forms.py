"""The mailbox form of the admin screen and Django admin; the mailbox service checks
and saves."""

from __future__ import annotations

from typing import Any

from caredesk.channels.mail.mailboxes import mailbox_check, mailbox_save
from caredesk.channels.models import Mailbox
from caredesk.core.forms import ServiceForm


class MailboxForm(ServiceForm):
    class Meta:
        model = Mailbox
        fields = [
            "name", "address", "team", "active", "imap_host", "imap_port", "imap_security",
            "imap_user", "imap_password_env", "imap_folder", "processed_folder", "smtp_host",
            "smtp_port", "smtp_security", "smtp_user", "smtp_password_env", "signature",
            "auto_acknowledge", "authserv_id", "unproven_replies",
        ]  # fmt: skip

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        return mailbox_check(data)

    def service_save(self, data: dict[str, Any]) -> Mailbox:
        return mailbox_save(mailbox=self.existing, data=data)
