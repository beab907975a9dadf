"""The mail tests' real SMTP server (aiosmtpd), for reports that go out by email."""

from caredesk.channels.mail.tests.conftest import smtp_server

__all__ = ["smtp_server"]
