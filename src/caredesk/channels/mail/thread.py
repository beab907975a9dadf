"""Inbound mail, stage 2: which ticket a message answers and how strongly it shows it
(signed reply addresses and Message-IDs of ours are proof, see channels.mail.trust; a
Message-ID we received or a subject reference [#123] are only claims), and whether its
sender may write there; the addresses that are caredesk's own. The outbound side uses
the same reply addresses and subject reference."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.crypto import constant_time_compare, salted_hmac

from caredesk.accounts.models import User
from caredesk.channels.mail.parsing import ParsedMail
from caredesk.channels.mail.trust import agent_of_reply_address, message_id_ours
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
        local=True,
    )


def own_address(address: str, own: frozenset[str] | None = None) -> bool:
    """Whether the address is one of caredesk's, plus-addressed or not."""
    return re.sub(r"\+[^@]*@", "@", address.lower()) in (
        own if own is not None else own_addresses()
    )


# How a message shows which ticket it answers, strongest first. Only the first two are
# proof (see channels.mail.trust); the others are claims anyone can make.
SIGNED_REPLY = "a message we sent (its In-Reply-To/References)"
REPLY_ADDRESS = "the ticket's signed reply address"
AGENT_ADDRESS = "an agent's signed reply address"
REFERENCE = "its In-Reply-To/References (a message we received)"
SUBJECT = "the ticket reference in its subject"
PROOF = frozenset({SIGNED_REPLY, REPLY_ADDRESS, AGENT_ADDRESS})


@dataclass(frozen=True)
class Thread:
    """The ticket a message names, how it names it, and (for an agent's signed reply
    address) the agent it proves."""

    ticket: Ticket | None = None
    how: str = ""
    agent_id: int | None = None

    @property
    def proven(self) -> bool:
        return self.how in PROOF


def thread_find(parsed: ParsedMail) -> Thread:
    """The ticket the message answers and how strongly it shows it: an agent's signed
    reply address, then a signed Message-ID of ours, then the ticket's signed reply
    address, then a Message-ID we received, then the subject reference."""
    candidates: list[tuple[int, str, int | None]] = []
    for address in parsed.addresses:
        agent = agent_of_reply_address(address)
        if agent is not None:
            candidates.append((agent[0], AGENT_ADDRESS, agent[1]))
    ids = [*reversed(parsed.in_reply_to), *reversed(parsed.references)]
    if ids:
        found = dict(MailThread.objects.filter(msgid__in=ids).values_list("msgid", "ticket_id"))
        signed = [i for i in ids if i in found and message_id_ours(i)]
        candidates += [(found[i], SIGNED_REPLY, None) for i in signed]
        candidates += [(found[i], REFERENCE, None) for i in ids if i in found and i not in signed]
    for address in parsed.addresses:
        ticket_id = ticket_of_reply_address(address)
        if ticket_id is not None:
            candidates.append((ticket_id, REPLY_ADDRESS, None))
    match = SUBJECT_REF.search(parsed.subject)
    if match:
        candidates.append((int(match.group(1)), SUBJECT, None))
    order = [AGENT_ADDRESS, SIGNED_REPLY, REPLY_ADDRESS, REFERENCE, SUBJECT]
    for ticket_id, how, agent_id in sorted(candidates, key=lambda c: order.index(c[1])):
        ticket = ticket_final(Ticket.objects.filter(pk=ticket_id).first())
        if ticket is not None:
            return Thread(ticket, how, agent_id)
    return Thread()


def ticket_final(ticket: Ticket | None) -> Ticket | None:
    """Follow merges to the ticket that lives on."""
    hops = 0
    while ticket is not None and ticket.merged_into_id is not None and hops < 10:
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
        hops += 1
    return ticket


def ticket_addresses(ticket: Ticket) -> frozenset[str]:
    """Every email address of the ticket's requester and CCs: who may write on it, and
    whom its mail went to."""
    people = [ticket.requester_id, *ticket.ccs.values_list("pk", flat=True)]
    return frozenset(
        ContactPoint.objects.filter(customer_id__in=people, kind=ContactKind.EMAIL).values_list(
            "value", flat=True
        )
    )


def may_write(sender: str, ticket: Ticket) -> bool:
    """Whether the sender is the ticket's requester or one of its CCs."""
    return sender in ticket_addresses(ticket)


STAFF_ADDRESSES_CACHE_KEY = "caredesk:mail:staff-addresses"


def staff_addresses() -> frozenset[str]:
    """Every user's email address, lower-case: mail from any of them is looked at as
    possibly from staff. Cached, and dropped when a user changes (ChannelsConfig.ready),
    so mail from anyone else costs no query."""
    return cached(
        STAFF_ADDRESSES_CACHE_KEY,
        lambda: frozenset(e.lower() for e in User.objects.values_list("email", flat=True) if e),
        local=True,
    )


def staff_of(address: str) -> User | None:
    """The active member of staff whose address this is, if any."""
    if address.lower() not in staff_addresses():
        return None
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    return user if user is not None and user.is_staff_member else None
