"""What proves who wrote a message, and what it answers; a From header proves nothing.

- **Our Message-IDs are signed.** ``<caredesk.<parts>.<sig>@domain>``: an HMAC of the
  parts with this installation's key (``SECRET_KEY``), so a reply that names one in
  In-Reply-To or References shows it answers a message we sent. Nobody can guess one.
- **Reply addresses are signed.** The ticket's own (``support+t42-<sig>@…``, in every
  mail to the customer) and an agent's own (``support+t42-a7-<sig>@…``, in the mail an
  agent is sent about a ticket): only the person who received it knows it.
- **Return paths are signed** (VERP): each message goes out with its own envelope sender
  (``support+bm42-<sig>@…`` for the outbox row 42, ``+bs`` for a survey invitation), so
  a delivery report sent there shows which message of ours failed, and for whom.
- **Authentication-Results** are believed only from the mailbox's own MTA: the topmost
  header, whose authserv-id is the one set on the mailbox. Anything lower down was added
  before our MTA and may be forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import authres
from django.utils.crypto import constant_time_compare, salted_hmac

SIGNATURE = 16  # hex characters of HMAC-SHA256: 64 bits
OUR_MESSAGE_ID = re.compile(r"^<caredesk\.(?P<parts>[a-z0-9.]+)\.(?P<sig>[0-9a-f]{16})@[^>]+>$")
AGENT_REPLY = re.compile(
    r"^(?P<local>[^+@]+)\+t(?P<ticket>\d{1,18})-a(?P<user>\d{1,18})-(?P<sig>[0-9a-f]{16})"
    r"@(?P<domain>.+)$"
)


def _sign(purpose: str, value: str) -> str:
    return salted_hmac(f"caredesk.mail.{purpose}", value, algorithm="sha256").hexdigest()[
        :SIGNATURE
    ]


def message_id(parts: str, domain: str) -> str:
    """A Message-ID of ours: ``parts`` (dot-separated ids) and their signature."""
    return f"<caredesk.{parts}.{_sign('message-id', parts)}@{domain}>"


def message_id_ours(msgid: str) -> bool:
    """Whether ``msgid`` is a Message-ID caredesk made (its signature checks out)."""
    match = OUR_MESSAGE_ID.match(msgid.strip().lower())
    return match is not None and constant_time_compare(
        match.group("sig"), _sign("message-id", match.group("parts"))
    )


def agent_reply_address(address: str, ticket_id: int, user_id: int) -> str:
    """The address an agent answers to about a ticket, proof that the agent wrote."""
    local, _, domain = address.partition("@")
    sig = _sign("agent-reply", f"{ticket_id}.{user_id}")
    return f"{local}+t{ticket_id}-a{user_id}-{sig}@{domain}"


def agent_of_reply_address(address: str) -> tuple[int, int] | None:
    """(ticket id, user id) of an agent's signed reply address; None for anything else."""
    match = AGENT_REPLY.match(address.strip().lower())
    if match is None:
        return None
    ticket_id, user_id = int(match.group("ticket")), int(match.group("user"))
    expected = _sign("agent-reply", f"{ticket_id}.{user_id}")
    return (ticket_id, user_id) if constant_time_compare(match.group("sig"), expected) else None


RETURN_PATH = re.compile(
    r"^(?P<local>[^+@]+)\+b(?P<kind>[a-z])(?P<id>\d{1,18})-(?P<sig>[0-9a-f]{16})@(?P<domain>.+)$"
)


def return_path(address: str, kind: str, row_id: int) -> str:
    """The envelope sender of one message we send (``kind`` names what ``row_id`` is):
    delivery reports come back to it."""
    local, _, domain = address.partition("@")
    return f"{local}+b{kind}{row_id}-{_sign('return-path', f'{kind}{row_id}')}@{domain}"


def return_path_of(address: str) -> tuple[str, int] | None:
    """(kind, row id) of one of our signed return paths; None for anything else."""
    match = RETURN_PATH.match(address.strip().lower())
    if match is None:
        return None
    kind, row_id = match.group("kind"), int(match.group("id"))
    expected = _sign("return-path", f"{kind}{row_id}")
    return (kind, row_id) if constant_time_compare(match.group("sig"), expected) else None


@dataclass(frozen=True)
class Authenticated:
    """What the mailbox's own MTA found: whether the From domain is proven (DMARC pass,
    or DKIM or SPF passing for a domain aligned with it) and how."""

    proven: bool
    how: str


def _aligned(domain: str, sender_domain: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other."""
    domain, sender_domain = domain.lower().strip("."), sender_domain.lower().strip(".")
    return bool(domain) and (
        domain == sender_domain
        or sender_domain.endswith("." + domain)
        or domain.endswith("." + sender_domain)
    )


def from_authenticated(
    auth_results: tuple[str, ...], sender: str, authserv_id: str
) -> Authenticated:
    """Whether the topmost Authentication-Results header, if it is the mailbox's own MTA's
    (``authserv_id``), proves the sender's domain. Without an authserv-id set on the
    mailbox nothing is believed."""
    if not authserv_id or not auth_results or "@" not in sender:
        return Authenticated(False, "no trusted Authentication-Results")
    try:
        header = authres.AuthenticationResultsHeader.parse_value(auth_results[0])
    except Exception:  # a header authres cannot read proves nothing
        return Authenticated(False, "unreadable Authentication-Results")
    if str(header.authserv_id).lower() != authserv_id.lower():
        return Authenticated(False, f"Authentication-Results not from {authserv_id}")
    domain = sender.rsplit("@", 1)[1]
    for result in header.results:
        props = {f"{p.type}.{p.name}".lower(): str(p.value) for p in result.properties}
        if result.result != "pass":
            continue
        method = str(result.method).lower()
        if method == "dmarc" and _aligned(props.get("header.from", ""), domain):
            return Authenticated(True, "DMARC pass")
        if method == "dkim" and _aligned(props.get("header.d", ""), domain):
            return Authenticated(True, "aligned DKIM pass")
        if method == "spf":
            mailfrom = props.get("smtp.mailfrom", "").rsplit("@", 1)[-1]
            if _aligned(mailfrom, domain):
                return Authenticated(True, "aligned SPF pass")
    return Authenticated(False, "no DMARC, aligned DKIM or aligned SPF pass")
