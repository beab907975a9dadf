"""Fetch mailboxes over IMAP (imapclient). Each message is fetched by UID once: the
mailbox remembers UIDVALIDITY and the last UID it has ingested, and moves or flags what
it has processed. A message is stored before its UID is recorded (even one that cannot
be parsed: it is held), so a crash in between fetches it again, and the pipeline records
it once (same bytes, same Message-ID); a UID the server does not return is not skipped
but fetched again next time."""

from __future__ import annotations

import contextlib
import logging
import os
import ssl

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from caredesk.channels.mail.inbound import mail_ingest_many
from caredesk.channels.models import Mailbox, MailSource

logger = logging.getLogger(__name__)

BATCH = 50
TIMEOUT = 30


class FetchError(Exception):
    """The mailbox could not be read: the message says why (no traceback)."""


def mail_fetch(*, mailbox: Mailbox, limit: int = 5000) -> int:
    """Ingest the mailbox's new messages; returns how many were fetched."""
    if not mailbox.imap_host:
        raise FetchError(f"{mailbox.address} has no IMAP server configured.")
    password = os.environ.get(mailbox.imap_password_env, "") if mailbox.imap_password_env else ""
    try:
        client = IMAPClient(
            mailbox.imap_host,
            port=mailbox.imap_port,
            ssl=mailbox.imap_security == "ssl",
            ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT,
        )
    except (OSError, IMAPClientError) as exc:
        raise FetchError(f"Cannot reach {mailbox.imap_host}:{mailbox.imap_port}: {exc}") from None
    try:
        if mailbox.imap_security == "starttls":
            client.starttls(ssl.create_default_context())
        client.login(mailbox.imap_user or mailbox.address, password)
        return _fetch(client, mailbox, limit)
    except IMAPClientError as exc:
        raise FetchError(f"{mailbox.address}: {exc}") from None
    finally:
        with contextlib.suppress(OSError, IMAPClientError):
            client.logout()


def _fetch(client: IMAPClient, mailbox: Mailbox, limit: int) -> int:
    info = client.select_folder(mailbox.imap_folder)
    validity = int(info[b"UIDVALIDITY"])
    if mailbox.uidvalidity != validity:  # a new folder: its UIDs start over
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=0)
        mailbox.uidvalidity, mailbox.last_uid = validity, 0
    uids = sorted(
        u for u in client.search(["UID", f"{mailbox.last_uid + 1}:*"]) if u > mailbox.last_uid
    )
    uids = uids[:limit]
    moves = bool(mailbox.processed_folder)
    if moves and not client.folder_exists(mailbox.processed_folder):
        client.create_folder(mailbox.processed_folder)
    fetched = 0
    for start in range(0, len(uids), BATCH):
        wanted = uids[start : start + BATCH]
        # BODY.PEEK: fetching does not mark a message seen; storing it does (below).
        data = client.fetch(wanted, ["BODY.PEEK[]"])
        chunk: list[int] = []
        raws: list[bytes] = []
        for uid in wanted:  # up to the first the server did not send: next time from it
            raw = data.get(uid, {}).get(b"BODY[]")
            if raw is None:
                logger.warning("%s: UID %s was not returned; it is fetched next time",
                               mailbox.address, uid)  # fmt: skip
                break
            chunk.append(uid)
            raws.append(bytes(raw))
        if chunk:
            # Stored (every message, read or not) before any of it is marked done on
            # the server or the UID moves past it.
            list(mail_ingest_many(raws=raws, source=MailSource.IMAP, mailbox=mailbox,
                                  batch=BATCH))  # fmt: skip
            if moves:
                client.move(chunk, mailbox.processed_folder)
            else:
                client.add_flags(chunk, [b"\\Seen"])
            Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=chunk[-1])
            mailbox.last_uid = chunk[-1]
            fetched += len(chunk)
        if len(chunk) < len(wanted):
            break
    return fetched


def mail_fetch_all() -> int:
    """Fetch every active mailbox that has an IMAP server; one failing does not stop the
    others (it is logged)."""
    total = 0
    for mailbox in Mailbox.objects.filter(active=True).exclude(imap_host=""):
        try:
            total += mail_fetch(mailbox=mailbox)
        except FetchError as exc:
            logger.warning("Mail fetch failed: %s", exc)
    return total
