"""Inbound mail, stage 3: file one message: a bounce marks the address, a loop or an
automatic reply is ignored, a reply from someone who may write there joins its ticket
(a closed one gets a follow-up), anything else becomes a new ticket; attachments over
the limit are dropped with a note to the agents and a word to the sender."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.channels.mail.outbound import (
    SENT_UNDER,
    Sent,
    automatic_refusal,
)
from caredesk.channels.mail.parsing import MESSAGE_ID, ParsedMail
from caredesk.channels.mail.store import (
    MailResult,
)
from caredesk.channels.mail.thread import (
    AGENT_ADDRESS,
    SUBJECT_REF,
    Thread,
    may_write,
    own_address,
    own_addresses,
    staff_of,
    thread_find,
    ticket_addresses,
)
from caredesk.channels.mail.trust import from_authenticated, message_id_ours, return_path_of
from caredesk.channels.models import (
    InboundMail,
    Mailbox,
    MailOutcome,
    MailSource,
    MailThread,
    UnprovenReplies,
)
from caredesk.core.i18n import language_or_site
from caredesk.customers.enums import ContactKind
from caredesk.customers.models import ContactPoint, Customer
from caredesk.customers.services import customer_get_or_create_by_email
from caredesk.tickets.enums import AuthorRole, Channel, EventKind, TicketStatus
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import event_record
from caredesk.tickets.services.messages import MAX_TEXT, AttachmentData, message_add
from caredesk.tickets.services.tickets import ticket_create

RATE_WINDOW = dt.timedelta(minutes=10)


RATE_LIMIT = 30  # messages per sender and window before mail from them is ignored


class Known:
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


def mail_file(row: InboundMail, parsed: ParsedMail, known: Known | None) -> MailResult:
    if parsed.bounce is not None:
        return _bounce(parsed)
    if not parsed.sender:
        return MailResult(
            MailOutcome.HELD, reason="No sender address: nobody to file it for or to answer."
        )
    if parsed.sender_doubt:
        return MailResult(
            MailOutcome.HELD,
            reason=f"The sender is not clear ({parsed.sender_doubt}): not taken for "
            f"{parsed.sender} nor anyone else. Check who wrote it.",
        )
    if own_address(parsed.sender):
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
    thread = thread_find(parsed)
    ticket = thread.ticket
    if parsed.auto_reply:
        return MailResult(
            MailOutcome.IGNORED,
            ticket.pk if ticket else None,
            reason="An automatic reply (out of office, autoresponder): no ticket, no answer.",
        )
    agent = staff_of(parsed.sender)
    if agent is not None:
        return _from_staff(row, parsed, thread, agent, known)
    if ticket is None:
        return _new_ticket(row, parsed, known, reason=None)
    if not may_write(parsed.sender, ticket):
        return _new_ticket(row, parsed, known, reason=(
            f"Matched ticket #{ticket.pk} by {thread.how}, but {parsed.sender} is not its "
            "requester or a CC: opened as a new ticket."
        ))  # fmt: skip
    if not thread.proven:
        mailbox = row.mailbox
        authenticated = from_authenticated(
            parsed.auth_results, parsed.sender, mailbox.authserv_id if mailbox else ""
        )
        if not authenticated.proven:
            return _unproven(row, parsed, known, ticket, thread, authenticated.how)
    if ticket.status == TicketStatus.CLOSED:
        return _new_ticket(
            row, parsed, known, follow_up_of=ticket, reason=f"Follow-up of closed #{ticket.pk}."
        )
    return _append(row, ticket, parsed, known, agent=None)


def _from_staff(
    row: InboundMail, parsed: ParsedMail, thread: Thread, agent: User, known: Known | None
) -> MailResult:
    """Mail from a staff address is written as that agent only with the agent's signed
    reply address for that ticket (only the agent received it); anything else is held,
    never written as staff nor sent on to a customer (the reply-spoofing class)."""
    ticket = thread.ticket
    if ticket is None or thread.how != AGENT_ADDRESS or thread.agent_id != agent.pk:
        return MailResult(
            MailOutcome.HELD,
            ticket.pk if ticket else None,
            reason=(
                f"From a staff address ({parsed.sender}) without that agent's signed reply "
                "address: anyone can put an agent's address in From, so it was neither "
                "written as the agent nor sent on. Check it with the agent."
            ),
        )
    if ticket.status == TicketStatus.CLOSED:
        return MailResult(
            MailOutcome.HELD,
            ticket.pk,
            reason=f"{agent.display_name} answered closed ticket #{ticket.pk} by email.",
        )
    return _append(row, ticket, parsed, known, agent=agent)


def _unproven(
    row: InboundMail,
    parsed: ParsedMail,
    known: Known | None,
    ticket: Ticket,
    thread: Thread,
    why: str,
) -> MailResult:
    """A reply that names a ticket only by claims anyone can make (its subject, a
    Message-ID we received), from an address that authentication does not prove: as
    the mailbox says, held for review or opened as a new ticket marked as a possible
    follow-up, never added to the ticket as its requester."""
    reason = (
        f"Names ticket #{ticket.pk} only by {thread.how}, and the sender's address is not "
        f"proven ({why})"
    )
    mailbox = row.mailbox
    if mailbox is not None and mailbox.unproven_replies == UnprovenReplies.HOLD:
        return MailResult(MailOutcome.HELD, ticket.pk, reason=reason + ": held for review.")
    result = _new_ticket(
        row, parsed, known, reason=reason + f": a new ticket, possible follow-up of #{ticket.pk}."
    )
    if result.ticket is not None:
        event_record(
            ticket=Ticket.objects.get(pk=result.ticket),
            actor=None,
            kind=EventKind.CHANGED,
            field="possible_follow_up_of",
            new=ticket.pk,
        )
    return result


@dataclass(frozen=True)
class Content:
    text: str
    html: str
    files: list[AttachmentData]
    note: str  # for the agents ("" when there is nothing to tell)
    dropped: bool  # attachments were too large: the sender is told too


def _content(parsed: ParsedMail, *, first: bool) -> Content:
    """The message as filed: the new part of its text (forwarded mail kept, and for the
    ``first`` message of a ticket the mail below "Original Message"); attachments beyond
    the size limit are dropped, and text beyond the length limit cut, with a note saying
    so (the original email keeps everything)."""
    text = parsed.first_text if first else parsed.visible_text
    notes = list(parsed.notes)
    if len(text) > MAX_TEXT:
        notes.append(
            f"The text was {len(text):,} characters long; the first {MAX_TEXT:,} are shown, "
            "all of it is in the original email (.eml)."
        )
        text = text[:MAX_TEXT]
    files = [AttachmentData(a.filename, a.content_type, a.data) for a in parsed.attachments]
    limit: int = settings.CAREDESK_MAX_ATTACHMENT_BYTES
    total = sum(len(f.data) for f in files)
    if total > limit:
        names = ", ".join(f.filename for f in files)[:500]
        notes.append(
            f"The attachments ({names}; {total:,} bytes) were larger than the limit of "
            f"{limit:,} bytes and were not kept; the original message is available as .eml."
        )
        files = []
    if not text.strip() and not files:
        text = "(no text)"
    return Content(text, parsed.html, files, "\n\n".join(notes), dropped=total > limit)


def _when(row: InboundMail, parsed: ParsedMail) -> dt.datetime:
    """The time of the message: an imported one keeps its own (its Date, else the first
    server's Received; never in the future); live mail is dated on arrival."""
    now = timezone.now()
    if row.source != MailSource.IMPORT:
        return now
    own = parsed.date or parsed.received
    return min(own, now) if own is not None else now


def _append(
    row: InboundMail, ticket: Ticket, parsed: ParsedMail, known: Known | None, *, agent: User | None
) -> MailResult:
    content = _content(parsed, first=False)
    customer = None
    if agent is None:
        customer = known.customers.get(parsed.sender) if known else None
        customer = customer or _customer_of(parsed.sender, ticket)
    message = message_add(
        ticket=ticket,
        author=agent,
        author_customer=customer,
        author_role=AuthorRole.AGENT if agent else AuthorRole.CUSTOMER,
        text=content.text,
        html=content.html,
        channel=Channel.EMAIL,
        attachments=content.files,
        external_id=parsed.message_id[:255],
        automatic="" if agent else parsed.automatic,
        created_at=_when(row, parsed),
    )
    MailThread.objects.create(msgid=parsed.message_id[:500], ticket=ticket, message=message)
    _tell(ticket, content)
    return MailResult(MailOutcome.APPENDED, ticket.pk, message.pk, content.note or None)


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
    known: Known | None,
    *,
    reason: str | None,
    follow_up_of: Ticket | None = None,
) -> MailResult:
    content = _content(parsed, first=True)
    requester = known.customers.get(parsed.sender) if known else None
    if requester is None:
        requester = customer_get_or_create_by_email(
            email=parsed.sender, name=parsed.sender_name, batch=known is not None
        )
        if known is not None:
            known.customers[parsed.sender] = requester
    own = own_addresses()
    ccs = [a for a in parsed.cc if a != parsed.sender and not own_address(a, own)]
    mailbox = row.mailbox
    ticket = ticket_create(
        requester=requester,
        subject=(SUBJECT_REF.sub("", parsed.subject).strip() or "(no subject)")[:250],
        text=content.text,
        html=content.html,
        channel=Channel.EMAIL,
        team=mailbox.team if mailbox else None,
        cc_emails=ccs[:50],
        attachments=content.files,
        created_at=_when(row, parsed),
        follow_up_of=follow_up_of,
        automatic=parsed.automatic,
    )
    message = ticket.first_message
    MailThread.objects.create(msgid=parsed.message_id[:500], ticket=ticket, message=message)
    _tell(ticket, content)
    if mailbox is not None and mailbox.auto_acknowledge:
        refusal = automatic_refusal(ticket)  # never to automatic mail, and so many an hour
        if refusal:
            reason = f"{reason} {refusal}".strip() if reason else refusal
        else:
            _acknowledge(ticket, mailbox)
    return MailResult(
        MailOutcome.CREATED,
        ticket.pk,
        message.pk if message else None,
        reason or content.note or None,
    )


def _tell(ticket: Ticket, content: Content) -> None:
    """Tell the agents what the message does not show (a note) and, when attachments
    were too large, the sender (a public message, which the outbox sends)."""
    if not content.note:
        return
    message_add(ticket=ticket, author=None, author_role=AuthorRole.AGENT, is_public=False,
                text=content.note)  # fmt: skip
    if not content.dropped:
        return
    with translation.override(language_or_site(ticket.requester.language)):
        text = _(
            "Your attachments were larger than we can accept (%(megabytes)s MB in all) and "
            "did not reach us. Please send them again as a link or in smaller parts."
        ) % {"megabytes": settings.CAREDESK_MAX_ATTACHMENT_BYTES // (1024 * 1024)}
    message_add(ticket=ticket, author=None, author_role=AuthorRole.SYSTEM, text=text)


def _acknowledge(ticket: Ticket, mailbox: Mailbox) -> None:
    with translation.override(language_or_site(ticket.requester.language)):
        text = _(
            'We received your request "%(subject)s" (#%(number)s) and will answer soon. '
            "To add anything, just reply to this message."
        ) % {"subject": ticket.subject, "number": ticket.pk}
    if mailbox.signature:
        text += "\n\n" + mailbox.signature
    message_add(ticket=ticket, author=None, author_role=AuthorRole.SYSTEM, text=text)


def _bounce(parsed: ParsedMail) -> MailResult:
    """Mark an address undeliverable only when the report is about a message we sent to
    it: the report must come back to one of our signed return paths (VERP), or quote one
    of our signed Message-IDs, and the address must be one that message went to (the
    requester's or a CC's of its ticket; a survey invitation's recipient). A forged
    report naming a customer changes nothing (it is recorded, with why it was not
    believed)."""

    assert parsed.bounce is not None
    sent = _sent_by_return_path(parsed) or _sent_by_message_id(parsed)
    ticket = Ticket.objects.filter(pk=sent.ticket_id).first() if sent.ticket_id else None
    failed = [r for r in parsed.bounce.recipients if r in sent.recipients]
    unproven = [r for r in parsed.bounce.recipients if r not in sent.recipients]
    if parsed.bounce.permanent and failed:
        ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__in=failed).update(
            undeliverable=True
        )
    if ticket is not None and failed:
        event_record(
            ticket=ticket,
            actor=None,
            kind=EventKind.CHANGED,
            field="email_delivery",
            new=f"failed for {', '.join(failed)}: "
            f"{parsed.bounce.status} {parsed.bounce.diagnostic}".strip(),
        )
    what = "permanently" if parsed.bounce.permanent else "temporarily"
    reason = (
        f"Delivery to {', '.join(failed)} failed {what} ({parsed.bounce.status})." if failed else ""
    )
    if unproven:
        reason += (
            f" Not believed for {', '.join(unproven)}: the report names no message we sent "
            "there (a forged or misdirected delivery report); nothing was changed."
        )
    return MailResult(MailOutcome.BOUNCE, ticket.pk if ticket else None, reason=reason.strip())


NOTHING_SENT = Sent(None, frozenset())


def _sent_by_return_path(parsed: ParsedMail) -> Sent | None:
    """What we sent under the signed return path the report came back to, if any."""
    for address in parsed.addresses:
        found = return_path_of(address)
        if found is not None and found[0] in SENT_UNDER:
            return SENT_UNDER[found[0]](found[1]) or NOTHING_SENT
    return None


def _sent_by_message_id(parsed: ParsedMail) -> Sent:
    """What we sent under the signed Message-ID the report quotes, if any."""
    ids = list(parsed.in_reply_to + parsed.references) + _ids_in_bounce(parsed)
    ours = [i for i in ids if message_id_ours(i)]
    thread = (
        MailThread.objects.filter(msgid__in=ours, outbound=True).order_by("id").first()
        if ours
        else None
    )
    if thread is None:
        return NOTHING_SENT
    return Sent(thread.ticket_id, ticket_addresses(Ticket.objects.get(pk=thread.ticket_id)))


def _ids_in_bounce(parsed: ParsedMail) -> list[str]:
    """Message-IDs quoted inside the bounce (the returned headers)."""

    found: list[str] = []
    for part in parsed.attachments:
        if part.content_type in ("message/rfc822", "text/rfc822-headers"):
            found += MESSAGE_ID.findall(part.data.decode("utf-8", "replace"))
    return found[:20]
