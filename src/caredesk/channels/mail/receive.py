"""Receive mail over SMTP or LMTP (aiosmtpd), for an MTA that delivers to caredesk.

A message is answered 250 only after its raw bytes are stored and committed, so a crash
before that makes the MTA deliver it again, and one after it loses nothing (processing
continues, or `mail_process_pending` finishes it). Recipients must be a mailbox's
address or a ticket's reply address on one; anything else is refused with 550.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from django.conf import settings
from django.db import close_old_connections, connections

from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.models import Mailbox, MailSource

logger = logging.getLogger(__name__)

PLUS = re.compile(r"\+[^@]*@")


def mailbox_for(address: str) -> Mailbox | None:
    base = PLUS.sub("@", address.strip().lower())
    return Mailbox.objects.filter(address__iexact=base, active=True).first()


def _in_thread(fn: Any, *args: Any) -> Any:
    close_old_connections()
    try:
        return fn(*args)
    finally:
        connections.close_all()


class Handler:
    """aiosmtpd handler: check recipients, store and process each message."""

    async def handle_RCPT(  # aiosmtpd's name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        loop = asyncio.get_running_loop()
        box = await loop.run_in_executor(None, _in_thread, mailbox_for, address)
        if box is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(None, _in_thread, _ingest, raw, envelope.rcpt_tos)
        except Exception:
            logger.exception("Could not store an incoming message; the sender will retry")
            return "451 4.3.0 Temporary failure, try again later"
        if result.outcome == "rejected":
            return f"554 5.6.0 {result.reason}"
        return "250 OK"


def _ingest(raw: bytes, recipients: list[str]) -> Any:
    box = next((b for b in (mailbox_for(r) for r in recipients) if b is not None), None)
    return mail_ingest(raw=raw, source=MailSource.SMTP, mailbox=box)


def smtp_controller(*, host: str, port: int, lmtp: bool = False) -> Any:
    """An aiosmtpd controller (start() it) on host:port; LMTP when asked."""

    limit = max(2 * int(settings.CAREDESK_MAX_ATTACHMENT_BYTES), 50 * 1024 * 1024)
    if lmtp:

        class LmtpController(Controller):
            def factory(self) -> Any:
                return LMTP(self.handler, data_size_limit=limit, decode_data=False)

        return LmtpController(Handler(), hostname=host, port=port)
    return Controller(Handler(), hostname=host, port=port, data_size_limit=limit)
