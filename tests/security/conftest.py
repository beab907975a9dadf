"""The mail servers of the mail tests (dovecot), for the security tests that need them."""

from caredesk.channels.mail.tests.conftest import imap_server

__all__ = ["imap_server"]
