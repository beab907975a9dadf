"""Inbound mail, one pipeline for IMAP, SMTP/LMTP and imports.

1. The raw bytes are stored first (store.py), under their SHA-256, with an InboundMail row
   (committed on its own): from then on nothing can lose the message. A message that
   cannot be read (not an email, or one the parser fails on) is stored all the same and
   held with the reason, retryable; only an empty one is refused.
2. Processing happens once, in one transaction with everything it creates; the
   Message-ID is claimed in MailThread (unique) inside that transaction, so the same
   message delivered twice, or by two processes at once, is recorded once. A process
   killed in between leaves the row unprocessed; `mail_process_pending` finishes it.

The stages are modules: store.py (the bytes and what became of them), thread.py (which
ticket a message answers and who may write there), filing.py (one message filed). This
module runs them, one message at a time or in batches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.channels.errors import ChannelErrorCode
from caredesk.channels.mail.filing import Known, mail_file
from caredesk.channels.mail.parsing import NotAnEmail, ParsedMail, parse
from caredesk.channels.mail.store import (
    PROCESSED_FIELDS,
    RECEIVED_BEFORE,
    MailResult,
    Read,
    duplicate_of,
    inbound_hold,
    inbound_now_read,
    inbound_store,
    inbound_store_many,
    mark_processed,
    processed_save,
)
from caredesk.channels.models import InboundMail, Mailbox, MailOutcome, MailSource, MailThread
from caredesk.core.errors import Conflict, DomainError
from caredesk.core.storage import blob_open

logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # messages stored, then processed, per transaction by mail_ingest_many


def mail_read(raw: bytes) -> Read:
    """The parsed message, or why it cannot be read: then it is stored and held, never
    dropped (a parser that fails on it today may read it after an upgrade: retry)."""
    try:
        return parse(raw)
    except NotAnEmail as exc:
        return str(exc)
    except Exception as exc:  # deep nesting (RecursionError), a parser's bug…
        logger.warning("Inbound mail: the parser failed (%s: %s)", type(exc).__name__, exc)
        return f"the parser failed on it ({type(exc).__name__})"


def _empty(raw: bytes) -> bool:
    return not raw.strip()


EMPTY = MailResult(MailOutcome.REJECTED, reason="The message is empty.")


def mail_ingest(
    *, raw: bytes, source: str = MailSource.IMPORT, mailbox: Mailbox | None = None
) -> MailResult:
    """Store a raw message and process it; the result says what became of it. Only an
    empty message is refused; one that cannot be read is stored and held."""
    if _empty(raw):
        return EMPTY
    read = mail_read(raw)
    inbound = inbound_store(raw=raw, read=read, source=source, mailbox=mailbox)
    if isinstance(read, str):
        return MailResult(MailOutcome.HELD, reason=inbound.reason)
    return mail_process(inbound=inbound, parsed=read)


def mail_ingest_many(
    *,
    raws: Iterable[bytes],
    source: str = MailSource.IMPORT,
    mailbox: Mailbox | None = None,
    batch: int = BATCH_SIZE,
) -> Iterator[MailResult]:
    """Store and process many messages (an import, an IMAP fetch), one result per
    message in order, ``batch`` at a time: the batch's raw messages are stored and
    committed together, then processed in one transaction. When one of them cannot be
    processed with the others, the batch is processed one message at a time instead:
    a bad message costs speed, never another message."""
    chunk: list[bytes] = []
    for raw in raws:
        chunk.append(raw)
        if len(chunk) >= batch:
            yield from _ingest_batch(chunk, source, mailbox)
            chunk = []
    if chunk:
        yield from _ingest_batch(chunk, source, mailbox)


def _ingest_batch(raws: list[bytes], source: str, mailbox: Mailbox | None) -> list[MailResult]:
    results: dict[int, MailResult] = {}
    stored: list[tuple[int, Read, bytes]] = []
    for i, raw in enumerate(raws):
        if _empty(raw):
            results[i] = EMPTY
        else:
            stored.append((i, mail_read(raw), raw))
    rows = inbound_store_many(stored, source, mailbox)
    work: list[tuple[int, ParsedMail, InboundMail]] = []
    for (i, read, _raw), row in zip(stored, rows, strict=True):
        if isinstance(read, str):
            results[i] = MailResult(MailOutcome.HELD, reason=row.reason)
        else:
            work.append((i, read, row))
    try:
        with transaction.atomic():
            locked = {
                r.pk: r
                for r in InboundMail.objects.select_for_update(of=("self",))
                .select_related("mailbox")
                .filter(pk__in=[row.pk for _, _, row in work])
                .order_by("id")  # locked in one order: two batches never deadlock
            }
            done: list[InboundMail] = []
            known = Known([parsed for _, parsed, _ in work])
            for i, parsed, row in work:
                current = locked[row.pk]
                if current.processed_at is not None:  # before, or earlier in this batch
                    results[i] = duplicate_of(current, reason=RECEIVED_BEFORE)
                    continue
                results[i] = _process(current, parsed, known)
                mark_processed(current, results[i])
                done.append(current)
            processed_save(done)
    except (DomainError, IntegrityError):  # one of them needs the careful path
        logger.info("Inbound mail: a batch of %d is processed one message at a time", len(work))
        for i, parsed, row in work:
            results[i] = mail_process(inbound=row, parsed=parsed)
    return [results[i] for i in range(len(raws))]


def _stored_process(inbound: InboundMail) -> MailResult:
    """Process a stored, unprocessed message from its bytes; held if they cannot be read."""
    read = mail_read(blob_open(inbound.storage_path))
    if isinstance(read, str):
        return inbound_hold(inbound, f"Could not be read as an email: {read}")
    inbound_now_read(inbound, read)
    return mail_process(inbound=inbound, parsed=read)


def mail_process_pending(*, limit: int = 1000) -> int:
    """Process stored messages that a crash left unprocessed; returns how many."""
    done = 0
    for inbound in InboundMail.objects.filter(processed_at__isnull=True).order_by("id")[:limit]:
        _stored_process(inbound)
        done += 1
    return done


def inbound_retry(*, inbound: InboundMail) -> MailResult:
    """File a held message again, once what held it is fixed (a required field that
    no email carries, a refused subject, a parser that failed on it…); held again, with
    the new reason, if it still cannot be filed. Two people retrying at once file it
    once."""
    with transaction.atomic():
        claimed = InboundMail.objects.filter(pk=inbound.pk, outcome=MailOutcome.HELD).update(
            processed_at=None, outcome="", reason=""
        )
    if not claimed:
        raise Conflict(
            ChannelErrorCode.NOT_HELD, _("This message is not held (any more): nothing to retry.")
        )
    inbound.refresh_from_db()
    return _stored_process(inbound)


def inbound_dismiss(*, inbound: InboundMail, actor: User) -> InboundMail:
    """Set a held message aside: it stays stored (and downloadable), marked ignored,
    with who dismissed it and why it was held."""
    was = inbound.reason
    done = InboundMail.objects.filter(pk=inbound.pk, outcome=MailOutcome.HELD).update(
        outcome=MailOutcome.IGNORED,
        reason=f"Dismissed by {actor.get_full_name() or actor.email}. Held because: {was}"[:2000],
        updated_at=timezone.now(),
    )
    if not done:
        raise Conflict(
            ChannelErrorCode.NOT_HELD, _("This message is not held (any more): nothing to dismiss.")
        )
    inbound.refresh_from_db()
    return inbound


def mail_process(*, inbound: InboundMail, parsed: ParsedMail) -> MailResult:
    if inbound.processed_at is not None:
        return duplicate_of(inbound, reason=RECEIVED_BEFORE)
    try:
        with transaction.atomic():
            row = (
                InboundMail.objects.select_for_update(of=("self",))
                .select_related("mailbox")
                .get(pk=inbound.pk)
            )
            if row.processed_at is not None:
                return duplicate_of(row, reason=RECEIVED_BEFORE)
            result = _process(row, parsed)
            mark_processed(row, result)
            row.save(update_fields=PROCESSED_FIELDS)
            return result
    except DomainError as exc:  # the message cannot be filed: keep it for an agent
        return inbound_hold(inbound, f"Could not be filed automatically: {exc.message}")
    except IntegrityError:
        if not MailThread.objects.filter(msgid=inbound.msgid).exists():
            raise  # not a duplicate: leave it unprocessed, to be tried again
        with transaction.atomic():  # another process claimed this Message-ID first
            InboundMail.objects.filter(pk=inbound.pk, processed_at__isnull=True).update(
                processed_at=timezone.now(),
                outcome=MailOutcome.DUPLICATE,
                reason="A message with this Message-ID was received before.",
            )
        inbound.refresh_from_db()
        return duplicate_of(inbound, reason=inbound.reason)


def _process(row: InboundMail, parsed: ParsedMail, known: Known | None = None) -> MailResult:
    msgid = parsed.message_id[:500]
    if known is not None:
        seen = known.thread(msgid)
    else:
        seen = MailThread.objects.filter(msgid=msgid).values_list("ticket_id", "message_id").first()
    if seen is not None:
        return MailResult(
            MailOutcome.DUPLICATE,
            seen[0],
            seen[1],
            "A message with this Message-ID was received before.",
        )
    result = mail_file(row, parsed, known)
    if known is not None:
        known.filed(msgid, result)
    return result
