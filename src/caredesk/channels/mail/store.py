"""Inbound mail, stage 1: keep the raw bytes and a row for them before anything else
(committed on its own: from then on nothing can lose the message), and record what
became of each message (filed, held with the reason, a duplicate)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from caredesk.channels.mail.parsing import ParsedMail, headers_glimpse
from caredesk.channels.models import InboundMail, Mailbox, MailOutcome, MailThread
from caredesk.core.storage import StoredBlob, blob_store

RECEIVED_BEFORE = "The same message was received before."


@dataclass(frozen=True)
class MailResult:
    outcome: str
    ticket: int | None = None
    message: int | None = None
    reason: str | None = None


PROCESSED_FIELDS = ["processed_at", "outcome", "reason", "ticket", "message", "updated_at"]


UNREAD = "@caredesk.unread>"  # the Message-ID of a row whose bytes could not be read
# A message as read: parsed, or the reason it cannot be (then it is stored and held).
Read = ParsedMail | str


def _inbound_row(
    blob: StoredBlob, raw: bytes, read: Read, source: str, mailbox: Mailbox | None
) -> InboundMail:
    row = InboundMail(
        sha256=blob.sha256, storage_path=blob.path, size=blob.size, source=source, mailbox=mailbox
    )
    if isinstance(read, str):  # kept as it came, held for a person with the reason
        row.msgid = f"<{blob.sha256}{UNREAD}"
        row.sender, row.subject = headers_glimpse(raw)
        row.processed_at = timezone.now()
        row.outcome = MailOutcome.HELD
        row.reason = f"Could not be read as an email: {read}"[:2000]
    else:
        row.msgid = read.message_id[:500]
        row.sender = read.sender[:254]
        row.subject = read.subject[:1000]
    return row


def inbound_store(*, raw: bytes, read: Read, source: str, mailbox: Mailbox | None) -> InboundMail:
    """Keep the bytes and a row for them (committed at once); the same bytes twice make
    one row. A message that cannot be read is stored all the same, held with why."""
    blob = blob_store(data=raw, namespace="mail")
    try:
        with transaction.atomic():
            row = _inbound_row(blob, raw, read, source, mailbox)
            row.save()
            return row
    except IntegrityError:
        return InboundMail.objects.get(sha256=blob.sha256)


def inbound_store_many(
    work: list[tuple[int, Read, bytes]], source: str, mailbox: Mailbox | None
) -> list[InboundMail]:
    """inbound_store for a batch, in one transaction (the same bytes twice, in the
    batch or before it, make one row); one at a time if a concurrent writer interferes."""
    blobs = [blob_store(data=raw, namespace="mail") for _, _, raw in work]
    try:
        with transaction.atomic():
            found = {
                r.sha256: r
                for r in InboundMail.objects.filter(sha256__in={b.sha256 for b in blobs})
            }
            new: dict[str, InboundMail] = {}
            for (_, read, raw), blob in zip(work, blobs, strict=True):
                if blob.sha256 not in found and blob.sha256 not in new:
                    new[blob.sha256] = _inbound_row(blob, raw, read, source, mailbox)
            InboundMail.objects.bulk_create(list(new.values()))
    except IntegrityError:  # stored meanwhile by another process
        return [
            inbound_store(raw=raw, read=read, source=source, mailbox=mailbox)
            for _, read, raw in work
        ]
    found.update(new)
    return [found[b.sha256] for b in blobs]


def processed_save(rows: list[InboundMail]) -> None:
    """Write the outcomes of a batch: one UPDATE per row, sent together (executemany).
    bulk_update's CASE expressions cost more to build than the rest of the batch."""
    if not rows:
        return
    meta, ops = InboundMail._meta, connection.ops
    column = {f.name: ops.quote_name(f.column) for f in meta.concrete_fields}
    assignments = ", ".join(f"{column[name]} = %s" for name in PROCESSED_FIELDS)
    sql = (  # names from the model's own metadata, values as parameters
        f"UPDATE {ops.quote_name(meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {column['id']} = %s"
    )
    at = ops.adapt_datetimefield_value
    params = [
        (at(r.processed_at), r.outcome, r.reason, r.ticket_id, r.message_id, at(r.updated_at), r.pk)
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def mark_processed(row: InboundMail, result: MailResult) -> None:
    row.processed_at = row.updated_at = timezone.now()
    row.outcome = result.outcome
    row.reason = result.reason or ""
    row.ticket_id = result.ticket
    row.message_id = result.message


def inbound_hold(inbound: InboundMail, reason: str) -> MailResult:
    InboundMail.objects.filter(pk=inbound.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), outcome=MailOutcome.HELD, reason=reason[:2000]
    )
    return MailResult(MailOutcome.HELD, reason=reason)


def duplicate_of(inbound: InboundMail, *, reason: str) -> MailResult:
    first = MailThread.objects.filter(msgid=inbound.msgid).first()
    return MailResult(
        MailOutcome.DUPLICATE,
        ticket=first.ticket_id if first else inbound.ticket_id,
        message=first.message_id if first else inbound.message_id,
        reason=reason,
    )


def inbound_now_read(inbound: InboundMail, parsed: ParsedMail) -> None:
    """A stored message that could not be read before and now can: its row gets the
    Message-ID, sender and subject it really has."""
    if inbound.msgid.endswith(UNREAD):
        inbound.msgid = parsed.message_id[:500]
        inbound.sender = parsed.sender[:254]
        inbound.subject = parsed.subject[:1000]
        inbound.save(update_fields=["msgid", "sender", "subject", "updated_at"])
