"""Inbound mail, one pipeline for IMAP, SMTP/LMTP and imports.

1. The raw bytes are stored first, under their SHA-256, with an InboundMail row
   (committed on its own): from then on nothing can lose the message.
2. Processing happens once, in one transaction with everything it creates; the
   Message-ID is claimed in MailThread (unique) inside that transaction, so the same
   message delivered twice, or by two processes at once, is recorded once. A process
   killed in between leaves the row unprocessed; `mail_process_pending` finishes it.

Threading: In-Reply-To and References against every Message-ID caredesk has seen or
sent, then the ticket reference in the subject ([#123]), then the per-ticket reply
address (local+t123-<signature>@domain). A reply joins a ticket only when its sender is
the requester, a CC on the ticket or a member of staff; anyone else gets a new ticket
of their own, with the reason recorded, and learns nothing about the other.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from caredesk.accounts.models import User
from caredesk.channels.mail.parsing import MESSAGE_ID, NotAnEmail, ParsedMail, parse
from caredesk.channels.models import InboundMail, Mailbox, MailOutcome, MailSource, MailThread
from caredesk.core.cache import cached
from caredesk.core.errors import Conflict, DomainError
from caredesk.core.storage import StoredBlob, blob_open, blob_store
from caredesk.customers.enums import ContactKind
from caredesk.customers.models import ContactPoint, Customer
from caredesk.customers.services import customer_get_or_create_by_email
from caredesk.tickets.enums import AuthorRole, Channel, EventKind, TicketStatus
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import event_record
from caredesk.tickets.services.messages import MAX_TEXT, AttachmentData, message_add
from caredesk.tickets.services.tickets import ticket_create

logger = logging.getLogger(__name__)

SUBJECT_REF = re.compile(r"\[#(\d{1,18})\]")
REPLY_TOKEN = re.compile(
    r"^(?P<local>[^+@]+)\+t(?P<id>\d{1,18})-(?P<sig>[0-9a-f]{12})@(?P<domain>.+)$"
)
RATE_WINDOW = dt.timedelta(minutes=10)
RATE_LIMIT = 30  # messages per sender and window before mail from them is ignored
RECEIVED_BEFORE = "The same message was received before."
BATCH_SIZE = 50  # messages stored, then processed, per transaction by mail_ingest_many


@dataclass(frozen=True)
class MailResult:
    outcome: str
    ticket: int | None = None
    message: int | None = None
    reason: str | None = None


def reply_signature(ticket_id: int) -> str:
    return salted_hmac("caredesk.mail.reply-address", str(ticket_id)).hexdigest()[:12]


def reply_address(address: str, ticket_id: int) -> str:
    """The ticket's own reply address on a mailbox: support+t42-<signature>@example.com."""
    local, _, domain = address.partition("@")
    return f"{local}+t{ticket_id}-{reply_signature(ticket_id)}@{domain}"


def ticket_of_reply_address(address: str) -> int | None:
    match = REPLY_TOKEN.match(address.lower())
    if match is None:
        return None
    ticket_id = int(match.group("id"))
    if not constant_time_compare(match.group("sig"), reply_signature(ticket_id)):
        return None
    return ticket_id


def mail_ingest(
    *, raw: bytes, source: str = MailSource.IMPORT, mailbox: Mailbox | None = None
) -> MailResult:
    """Store a raw message and process it; the result says what became of it."""
    try:
        parsed = parse(raw)
    except NotAnEmail as exc:
        return MailResult(MailOutcome.REJECTED, reason=str(exc))
    inbound = inbound_store(raw=raw, parsed=parsed, source=source, mailbox=mailbox)
    return mail_process(inbound=inbound, parsed=parsed)


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
    work: list[tuple[int, ParsedMail, bytes]] = []
    for i, raw in enumerate(raws):
        try:
            work.append((i, parse(raw), raw))
        except NotAnEmail as exc:
            results[i] = MailResult(MailOutcome.REJECTED, reason=str(exc))
    rows = _store_many(work, source, mailbox)
    try:
        with transaction.atomic():
            locked = {
                r.pk: r
                for r in InboundMail.objects.select_for_update(of=("self",))
                .select_related("mailbox")
                .filter(pk__in=[r.pk for r in rows])
                .order_by("id")  # locked in one order: two batches never deadlock
            }
            done: list[InboundMail] = []
            known = _Known([parsed for _, parsed, _ in work])
            for (i, parsed, _), row in zip(work, rows, strict=True):
                current = locked[row.pk]
                if current.processed_at is not None:  # before, or earlier in this batch
                    results[i] = _duplicate_of(current, reason=RECEIVED_BEFORE)
                    continue
                results[i] = _process(current, parsed, known)
                _mark_processed(current, results[i])
                done.append(current)
            _processed_save(done)
    except (DomainError, IntegrityError):  # one of them needs the careful path
        logger.info("Inbound mail: a batch of %d is processed one message at a time", len(rows))
        for (i, parsed, _), row in zip(work, rows, strict=True):
            results[i] = mail_process(inbound=row, parsed=parsed)
    return [results[i] for i in range(len(raws))]


def _processed_save(rows: list[InboundMail]) -> None:
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


def _store_many(
    work: list[tuple[int, ParsedMail, bytes]], source: str, mailbox: Mailbox | None
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
            for (_, parsed, _), blob in zip(work, blobs, strict=True):
                if blob.sha256 not in found and blob.sha256 not in new:
                    new[blob.sha256] = _inbound_row(blob, parsed, source, mailbox)
            InboundMail.objects.bulk_create(list(new.values()))
    except IntegrityError:  # stored meanwhile by another process
        return [
            inbound_store(raw=raw, parsed=parsed, source=source, mailbox=mailbox)
            for _, parsed, raw in work
        ]
    found.update(new)
    return [found[b.sha256] for b in blobs]


def _inbound_row(
    blob: StoredBlob, parsed: ParsedMail, source: str, mailbox: Mailbox | None
) -> InboundMail:
    return InboundMail(
        sha256=blob.sha256,
        msgid=parsed.message_id[:500],
        storage_path=blob.path,
        size=blob.size,
        source=source,
        mailbox=mailbox,
        sender=parsed.sender[:254],
        subject=parsed.subject[:1000],
    )


def inbound_store(
    *, raw: bytes, parsed: ParsedMail, source: str, mailbox: Mailbox | None
) -> InboundMail:
    """Keep the bytes and a row for them (committed at once); the same bytes twice make
    one row."""
    blob = blob_store(data=raw, namespace="mail")
    try:
        with transaction.atomic():
            row = _inbound_row(blob, parsed, source, mailbox)
            row.save()
            return row
    except IntegrityError:
        return InboundMail.objects.get(sha256=blob.sha256)


def mail_process_pending(*, limit: int = 1000) -> int:
    """Process stored messages that a crash left unprocessed; returns how many."""
    done = 0
    for inbound in InboundMail.objects.filter(processed_at__isnull=True).order_by("id")[:limit]:
        mail_process(inbound=inbound, parsed=parse(blob_open(inbound.storage_path)))
        done += 1
    return done


def inbound_retry(*, inbound: InboundMail) -> MailResult:
    """File a held message again, once what held it is fixed (a required field that
    no email carries, a refused subject…); held again, with the new reason, if it still
    cannot be filed. Two people retrying at once file it once."""
    with transaction.atomic():
        claimed = InboundMail.objects.filter(pk=inbound.pk, outcome=MailOutcome.HELD).update(
            processed_at=None, outcome="", reason=""
        )
    if not claimed:
        raise Conflict("not_held", "This message is not held (any more): nothing to retry.")
    inbound.refresh_from_db()
    return mail_process(inbound=inbound, parsed=parse(blob_open(inbound.storage_path)))


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
        raise Conflict("not_held", "This message is not held (any more): nothing to dismiss.")
    inbound.refresh_from_db()
    return inbound


def mail_process(*, inbound: InboundMail, parsed: ParsedMail) -> MailResult:
    if inbound.processed_at is not None:
        return _duplicate_of(inbound, reason=RECEIVED_BEFORE)
    try:
        with transaction.atomic():
            row = (
                InboundMail.objects.select_for_update(of=("self",))
                .select_related("mailbox")
                .get(pk=inbound.pk)
            )
            if row.processed_at is not None:
                return _duplicate_of(row, reason=RECEIVED_BEFORE)
            result = _process(row, parsed)
            _mark_processed(row, result)
            row.save(update_fields=PROCESSED_FIELDS)
            return result
    except DomainError as exc:  # the message cannot be filed: keep it for an agent
        return _hold(inbound, f"Could not be filed automatically: {exc.message}")
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
        return _duplicate_of(inbound, reason=inbound.reason)


PROCESSED_FIELDS = ["processed_at", "outcome", "reason", "ticket", "message", "updated_at"]


def _mark_processed(row: InboundMail, result: MailResult) -> None:
    row.processed_at = row.updated_at = timezone.now()
    row.outcome = result.outcome
    row.reason = result.reason or ""
    row.ticket_id = result.ticket
    row.message_id = result.message


def _hold(inbound: InboundMail, reason: str) -> MailResult:
    InboundMail.objects.filter(pk=inbound.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), outcome=MailOutcome.HELD, reason=reason[:2000]
    )
    return MailResult(MailOutcome.HELD, reason=reason)


def _duplicate_of(inbound: InboundMail, *, reason: str) -> MailResult:
    first = MailThread.objects.filter(msgid=inbound.msgid).first()
    return MailResult(
        MailOutcome.DUPLICATE,
        ticket=first.ticket_id if first else inbound.ticket_id,
        message=first.message_id if first else inbound.message_id,
        reason=reason,
    )


class _Known:
    """What mail_process looks up for each message, looked up once for a batch (in
    the batch's transaction) and kept up to date as the batch is filed: the threads of
    the batch's Message-IDs, and each sender's recent messages for the rate limit."""

    def __init__(self, parsed: list[ParsedMail]) -> None:
        self.threads = {
            t.msgid: (t.ticket_id, t.message_id)
            for t in MailThread.objects.filter(msgid__in={p.message_id[:500] for p in parsed})
        }
        self.sent: dict[str, list[int]] = {}
        recent = InboundMail.objects.filter(
            sender__in={p.sender for p in parsed if p.sender},
            created_at__gte=timezone.now() - RATE_WINDOW,
        ).values_list("sender", "id")
        for sender, pk in recent:
            self.sent.setdefault(sender, []).append(pk)
        self.customers = {
            c.value: c.customer
            for c in ContactPoint.objects.select_related("customer").filter(
                kind=ContactKind.EMAIL, value__in={p.sender for p in parsed if p.sender}
            )
        }

    def thread(self, msgid: str) -> tuple[int, int | None] | None:
        return self.threads.get(msgid)

    def filed(self, msgid: str, result: MailResult) -> None:
        if result.outcome in (MailOutcome.CREATED, MailOutcome.APPENDED) and result.ticket:
            self.threads[msgid] = (result.ticket, result.message)

    def recent(self, sender: str, up_to: int) -> int:
        return sum(1 for pk in self.sent.get(sender, ()) if pk <= up_to)


def _process(row: InboundMail, parsed: ParsedMail, known: _Known | None = None) -> MailResult:
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
    result = _file(row, parsed, known)
    if known is not None:
        known.filed(msgid, result)
    return result


def _file(row: InboundMail, parsed: ParsedMail, known: _Known | None) -> MailResult:
    if parsed.bounce is not None:
        return _bounce(parsed)
    if not parsed.sender:
        return MailResult(MailOutcome.IGNORED, reason="No sender address.")
    if _own_address(parsed.sender):
        return MailResult(MailOutcome.IGNORED, reason="Sent from caredesk's own address (a loop).")
    if known is not None:
        recent = known.recent(parsed.sender, row.pk)
    else:  # this message and those before it
        recent = InboundMail.objects.filter(
            sender=parsed.sender, created_at__gte=timezone.now() - RATE_WINDOW, id__lte=row.pk
        ).count()
    if recent > RATE_LIMIT:
        return MailResult(
            MailOutcome.IGNORED,
            reason=f"More than {RATE_LIMIT} messages from {parsed.sender} in 10 minutes "
            "(a mail loop?).",
        )
    ticket, why_not = _thread(parsed)
    if parsed.auto_reply:
        return MailResult(
            MailOutcome.IGNORED,
            ticket.pk if ticket else None,
            reason="An automatic reply (out of office, autoresponder): no ticket, no answer.",
        )
    if ticket is not None and ticket.status == TicketStatus.CLOSED:
        return _new_ticket(
            row, parsed, known, follow_up_of=ticket, reason=f"Follow-up of closed #{ticket.pk}."
        )
    if ticket is not None:
        return _append(ticket, parsed, known)
    return _new_ticket(row, parsed, known, reason=why_not)


OWN_ADDRESSES_CACHE_KEY = "caredesk:mail:own-addresses"


def _own_addresses() -> frozenset[str]:
    """caredesk's own addresses (every mailbox); cached, and dropped when a mailbox
    changes (see ChannelsConfig.ready)."""
    return cached(
        OWN_ADDRESSES_CACHE_KEY,
        lambda: frozenset(a.lower() for a in Mailbox.objects.values_list("address", flat=True)),
    )


def _own_address(address: str, own: frozenset[str] | None = None) -> bool:
    """Whether the address is one of caredesk's, plus-addressed or not."""
    return re.sub(r"\+[^@]*@", "@", address.lower()) in (
        own if own is not None else _own_addresses()
    )


def _thread(parsed: ParsedMail) -> tuple[Ticket | None, str | None]:
    """The ticket the message answers, if its sender may write to it; otherwise None and
    why it was not joined (for the record)."""
    candidates: list[tuple[int, str]] = []
    ids = [*reversed(parsed.in_reply_to), *reversed(parsed.references)]
    if ids:
        found = dict(MailThread.objects.filter(msgid__in=ids).values_list("msgid", "ticket_id"))
        candidates += [(found[i], "its In-Reply-To/References") for i in ids if i in found]
    match = SUBJECT_REF.search(parsed.subject)
    if match:
        candidates.append((int(match.group(1)), "the ticket reference in its subject"))
    for address in parsed.addresses:
        ticket_id = ticket_of_reply_address(address)
        if ticket_id is not None:
            candidates.append((ticket_id, "the ticket's reply address"))
    for ticket_id, how in candidates:
        ticket = _final(Ticket.objects.filter(pk=ticket_id).first())
        if ticket is None:
            continue
        if _may_write(parsed.sender, ticket):
            return ticket, None
        return None, (
            f"Matched ticket #{ticket.pk} by {how}, but {parsed.sender} is not its requester, "
            "a CC or a member of staff: opened as a new ticket."
        )
    return None, None


def _final(ticket: Ticket | None) -> Ticket | None:
    """Follow merges to the ticket that lives on."""
    hops = 0
    while ticket is not None and ticket.merged_into_id is not None and hops < 10:
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
        hops += 1
    return ticket


def _emails_of(customer_ids: list[int]) -> set[str]:
    return set(
        ContactPoint.objects.filter(
            customer_id__in=customer_ids, kind=ContactKind.EMAIL
        ).values_list("value", flat=True)
    )


def _may_write(sender: str, ticket: Ticket) -> bool:
    people = [ticket.requester_id, *ticket.ccs.values_list("pk", flat=True)]
    if sender in _emails_of(people):
        return True
    return _staff(sender) is not None


def _staff(address: str) -> User | None:
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    return user if user is not None and user.is_staff_member else None


def _content(parsed: ParsedMail) -> tuple[str, str, list[AttachmentData], str]:
    """(visible text, html, attachments, note): attachments beyond the size limit are
    dropped, with a note saying so."""
    text = parsed.visible_text[:MAX_TEXT]
    files = [AttachmentData(a.filename, a.content_type, a.data) for a in parsed.attachments]
    limit: int = settings.CAREDESK_MAX_ATTACHMENT_BYTES
    total = sum(len(f.data) for f in files)
    note = ""
    if total > limit:
        names = ", ".join(f.filename for f in files)[:500]
        note = (
            f"The attachments ({names}; {total:,} bytes) were larger than the limit of "
            f"{limit:,} bytes and were not kept; the original message is available as .eml."
        )
        files = []
    if not text.strip() and not files:
        text = "(no text)"
    return text, parsed.html, files, note


def _append(ticket: Ticket, parsed: ParsedMail, known: _Known | None) -> MailResult:
    text, html, files, note = _content(parsed)
    agent = _staff(parsed.sender)
    customer = None
    if agent is None:
        customer = known.customers.get(parsed.sender) if known else None
        customer = customer or _customer_of(parsed.sender, ticket)
    message = message_add(
        ticket=ticket,
        author=agent,
        author_customer=customer,
        author_role=AuthorRole.AGENT if agent else AuthorRole.CUSTOMER,
        text=text,
        html=html,
        channel=Channel.EMAIL,
        attachments=files,
        external_id=parsed.message_id[:255],
    )
    MailThread.objects.create(msgid=parsed.message_id[:500], ticket=ticket, message=message)
    if note:
        _too_large(ticket, parsed, note)
    return MailResult(MailOutcome.APPENDED, ticket.pk, message.pk, note or None)


def _customer_of(sender: str, ticket: Ticket) -> Customer:
    contact = (
        ContactPoint.objects.select_related("customer")
        .filter(kind=ContactKind.EMAIL, value=sender)
        .first()
    )
    return contact.customer if contact is not None else ticket.requester


def _new_ticket(
    row: InboundMail,
    parsed: ParsedMail,
    known: _Known | None,
    *,
    reason: str | None,
    follow_up_of: Ticket | None = None,
) -> MailResult:
    text, html, files, note = _content(parsed)
    requester = known.customers.get(parsed.sender) if known else None
    if requester is None:
        requester = customer_get_or_create_by_email(email=parsed.sender, name=parsed.sender_name)
        if known is not None:
            known.customers[parsed.sender] = requester
    own = _own_addresses()
    ccs = [a for a in parsed.cc if a != parsed.sender and not _own_address(a, own)]
    mailbox = row.mailbox
    ticket = ticket_create(
        requester=requester,
        subject=(SUBJECT_REF.sub("", parsed.subject).strip() or "(no subject)")[:250],
        text=text,
        html=html,
        channel=Channel.EMAIL,
        team=mailbox.team if mailbox else None,
        cc_emails=ccs[:50],
        attachments=files,
        created_at=timezone.now(),
        follow_up_of=follow_up_of,
    )
    message = ticket.first_message
    MailThread.objects.create(msgid=parsed.message_id[:500], ticket=ticket, message=message)
    if note:
        _too_large(ticket, parsed, note)
    if mailbox is not None and mailbox.auto_acknowledge and not parsed.bulk:
        _acknowledge(ticket, mailbox)
    return MailResult(
        MailOutcome.CREATED, ticket.pk, message.pk if message else None, reason or note or None
    )


def _too_large(ticket: Ticket, parsed: ParsedMail, note: str) -> None:
    """Tell the agents (a note) and the sender (a public message, which the outbox sends)."""

    message_add(ticket=ticket, author=None, author_role=AuthorRole.AGENT, is_public=False,
                text=note)  # fmt: skip
    message_add(
        ticket=ticket,
        author=None,
        author_role=AuthorRole.SYSTEM,
        text="Your attachments were larger than we can accept "
        f"({settings.CAREDESK_MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB in all) and did not "
        "reach us. Please send them again as a link or in smaller parts.",
    )


def _acknowledge(ticket: Ticket, mailbox: Mailbox) -> None:
    text = (
        f'We received your request "{ticket.subject}" (#{ticket.pk}) and will answer soon. '
        "To add anything, just reply to this message."
    )
    if mailbox.signature:
        text += "\n\n" + mailbox.signature
    message_add(ticket=ticket, author=None, author_role=AuthorRole.SYSTEM, text=text)


def _bounce(parsed: ParsedMail) -> MailResult:
    """Mark the addresses undeliverable; record the failure on the ticket it was for."""

    assert parsed.bounce is not None
    marked = ContactPoint.objects.filter(
        kind=ContactKind.EMAIL, value__in=list(parsed.bounce.recipients)
    )
    if parsed.bounce.permanent:
        marked.update(undeliverable=True)
    ids = list(parsed.in_reply_to + parsed.references) + _ids_in_bounce(parsed)
    thread = MailThread.objects.filter(msgid__in=ids).first() if ids else None
    if thread is not None:
        event_record(
            ticket=Ticket.objects.get(pk=thread.ticket_id),
            actor=None,
            kind=EventKind.CHANGED,
            field="email_delivery",
            new=f"failed for {', '.join(parsed.bounce.recipients)}: "
            f"{parsed.bounce.status} {parsed.bounce.diagnostic}".strip(),
        )
    what = "permanently" if parsed.bounce.permanent else "temporarily"
    return MailResult(
        MailOutcome.BOUNCE,
        thread.ticket_id if thread else None,
        reason=f"Delivery to {', '.join(parsed.bounce.recipients)} failed {what} "
        f"({parsed.bounce.status}).",
    )


def _ids_in_bounce(parsed: ParsedMail) -> list[str]:
    """Message-IDs quoted inside the bounce (the returned headers)."""

    found: list[str] = []
    for part in parsed.attachments:
        if part.content_type in ("message/rfc822", "text/rfc822-headers"):
            found += MESSAGE_ID.findall(part.data.decode("utf-8", "replace"))
    return found[:20]
