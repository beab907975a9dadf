"""Inbound mail, stage 2: which ticket a message answers, and whether its sender may
write there. In-Reply-To and References against every Message-ID caredesk has seen or
sent, then the ticket reference in the subject ([#123]), then the per-ticket reply
address (local+t123-<signature>@domain); the addresses that are caredesk's own. The
outbound side uses the same reply addresses and subject reference."""

from __future__ import annotations

import re

from django.utils.crypto import constant_time_compare, salted_hmac

from caredesk.accounts.models import User
from caredesk.channels.mail.parsing import ParsedMail
from caredesk.channels.models import Mailbox, MailThread
from caredesk.core.cache import cached
from caredesk.customers.enums import ContactKind
from caredesk.customers.models import ContactPoint
from caredesk.tickets.models import Ticket

SUBJECT_REF = re.compile(r"\[#(\d{1,18})\]")


REPLY_TOKEN = re.compile(
    r"^(?P<local>[^+@]+)\+t(?P<id>\d{1,18})-(?P<sig>[0-9a-f]{12})@(?P<domain>.+)$"
)


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


OWN_ADDRESSES_CACHE_KEY = "caredesk:mail:own-addresses"


def own_addresses() -> frozenset[str]:
    """caredesk's own addresses (every mailbox); cached, and dropped when a mailbox
    changes (see ChannelsConfig.ready)."""
    return cached(
        OWN_ADDRESSES_CACHE_KEY,
        lambda: frozenset(a.lower() for a in Mailbox.objects.values_list("address", flat=True)),
    )


def own_address(address: str, own: frozenset[str] | None = None) -> bool:
    """Whether the address is one of caredesk's, plus-addressed or not."""
    return re.sub(r"\+[^@]*@", "@", address.lower()) in (
        own if own is not None else own_addresses()
    )


def thread_find(parsed: ParsedMail) -> tuple[Ticket | None, str | None]:
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
        ticket = ticket_final(Ticket.objects.filter(pk=ticket_id).first())
        if ticket is None:
            continue
        if may_write(parsed.sender, ticket):
            return ticket, None
        return None, (
            f"Matched ticket #{ticket.pk} by {how}, but {parsed.sender} is not its requester, "
            "a CC or a member of staff: opened as a new ticket."
        )
    return None, None


def ticket_final(ticket: Ticket | None) -> Ticket | None:
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


def may_write(sender: str, ticket: Ticket) -> bool:
    people = [ticket.requester_id, *ticket.ccs.values_list("pk", flat=True)]
    if sender in _emails_of(people):
        return True
    return staff_of(sender) is not None


def staff_of(address: str) -> User | None:
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    return user if user is not None and user.is_staff_member else None
