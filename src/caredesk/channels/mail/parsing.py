"""Read a raw email: headers, text and HTML bodies, attachments, and what kind of mail
it is (a person's, an automatic reply, bulk, a bounce). Framework-free: the standard
library's modern email API (policy.default: RFC 2047/2231 headers and file names) and
mail-parser-reply for quoted history and signatures.

Nothing here raises on a hostile or broken message except NotAnEmail for input that is
not a message at all; unknown charsets are decoded with replacement characters.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import io
import itertools
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy, compat32
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from html import unescape
from typing import Any

from mailparser_reply import EmailReplyParser

REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "ja", "cs", "da"]
MAILER_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)
OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response)|out of (the )?office|abwesenheitsnotiz|"
    r"automatische antwort|r[ée]ponse automatique|absence)\b",
    re.I,
)
MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_MAX_PARTS = 500


class NotAnEmail(ValueError):
    """The input has no headers of an email (no From, no Message-ID, no Subject…)."""


@dataclass(frozen=True)
class Part:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""  # without the angle brackets
    inline: bool = False


@dataclass(frozen=True)
class Bounce:
    recipients: tuple[str, ...]  # the addresses that could not be delivered
    permanent: bool
    status: str  # e.g. 5.1.1
    diagnostic: str


@dataclass
class ParsedMail:
    message_id: str  # with angle brackets; synthesised from the content when missing
    has_message_id: bool
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    sender: str  # the From address, lower-case
    sender_name: str
    reply_to: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    date: dt.datetime | None
    text: str  # the whole text body (from HTML when there is no text part)
    html: str  # the HTML body as sent (sanitise before showing it)
    attachments: list[Part] = field(default_factory=list)
    auto_reply: bool = False  # an automatic answer: out of office, vacation, autoresponder
    bulk: bool = False  # lists, newsletters, Precedence bulk/junk/list
    # Sent by a program (Auto-Submitted other than "no", or the null return path <>): it
    # may open a ticket (an alert, a notification) but is never answered automatically.
    auto_submitted: bool = False
    bounce: Bounce | None = None
    # What the agent should know that the message does not show (parts left out…).
    notes: list[str] = field(default_factory=list)
    received: dt.datetime | None = None  # the first hop's time (the last Received)
    size: int = 0
    # The Authentication-Results headers as received, topmost first; only the ones added
    # by the mailbox's own MTA (its authserv-id) may be believed (channels.mail.trust).
    auth_results: tuple[str, ...] = ()
    # Why the From header does not name one sender cleanly ("" when it does); such a
    # sender is never taken for anyone (channels.mail.filing holds the message).
    sender_doubt: str = ""

    @property
    def automatic(self) -> str:
        """What no person sent, in tickets.enums.Automatic's values ("" for a person)."""
        if self.auto_submitted or self.auto_reply:
            return "auto_submitted"
        return "bulk" if self.bulk else ""

    @property
    def visible_text(self) -> str:
        """The new part of the message: without quoted history and signature."""
        return reply_text(self.text)

    @property
    def first_text(self) -> str:
        """The text of a message that opens a ticket: as visible_text, but mail it
        carries below an "Original Message" line is the customer's, not our history."""
        return reply_text(self.text, first=True)

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.to + self.cc + self.delivered_to


@lru_cache(maxsize=4096)
def _parsed_header(name: str, value: str) -> Any:
    return policy.default.header_fetch_parse(name, value)


class _Policy(EmailPolicy):
    """policy.default, remembering parsed headers. The header registry parses a header
    on every access, and parts are asked for their Content-Type many times over; the
    same raw header always parses to the same immutable header object."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name"):  # already a header object (set by a program)
            return value
        return _parsed_header(name, value)


POLICY = _Policy()


# Headers added on the way (by each MTA, per recipient): the same message reaching two
# mailboxes differs only in these, and is still one message.
TRANSPORT_HEADERS = frozenset(
    {
        "received",
        "x-received",
        "delivered-to",
        "x-original-to",
        "envelope-to",
        "x-envelope-to",
        "return-path",
        "authentication-results",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "received-spf",
    }
)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _split_entity(raw: bytes) -> tuple[bytes, bytes]:
    """(headers, body) of a message or part as bytes; all headers when no blank line."""
    split = _BLANK_LINE.search(raw)
    return (raw[: split.start()], raw[split.end() :]) if split else (raw, b"")


def content_message_id(msg: Message, raw: bytes) -> str:
    """A Message-ID for a message that has none: a hash of its headers (without the
    transport headers, and without spam scores, which each mailbox adds) and its body,
    with line endings and trailing blanks made alike."""
    digest = hashlib.sha256()
    for name, value in msg.raw_items():
        key = name.lower()
        if key in TRANSPORT_HEADERS or key.startswith("x-spam"):
            continue
        line = f"{key}:{' '.join(str(value).split())}\n"
        digest.update(line.encode("utf-8", "surrogateescape"))
    body = _split_entity(raw)[1]
    digest.update(b"\n" + body.replace(b"\r\n", b"\n").rstrip())
    return f"<{digest.hexdigest()}@caredesk.generated>"


_GLIMPSE = re.compile(rb"^(from|subject):[ \t]*(.*)$", re.I | re.M)


def headers_glimpse(raw: bytes) -> tuple[str, str]:
    """(From, Subject) as raw text from the top of a message that cannot be parsed: for
    a person to recognise it by, never to believe."""
    head = _split_entity(raw[:65536])[0]
    found: dict[str, str] = {}
    for match in _GLIMPSE.finditer(head):
        key = match.group(1).decode().lower()
        found.setdefault(key, _clean(match.group(2).decode("utf-8", "replace")).strip())
    return found.get("from", "")[:254], found.get("subject", "")[:1000]


def parse(raw: bytes) -> ParsedMail:
    """Parse a message; NotAnEmail when ``raw`` is not one."""
    if not raw or not raw.strip():
        raise NotAnEmail("The file is empty.")
    try:
        msg = BytesParser(policy=POLICY).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; this is a last resort
        raise NotAnEmail(f"Cannot be read as an email: {exc}") from None
    raw_headers = _raw_headers(msg)
    if not any(raw_headers.get(h) for h in ("from", "message-id", "subject", "to", "date")):
        raise NotAnEmail("No email headers (From, To, Subject, Message-ID or Date) found.")
    if msg.defects and not msg.keys():
        raise NotAnEmail("No email headers found.")

    def as_sent(name: str) -> str:  # a header nothing decodes (ids, dates, flags)
        return _clean(raw_headers.get(name, [""])[0])

    sender_name, sender = _first_address(msg, "From")
    _, reply_to = _first_address(msg, "Reply-To") if "reply-to" in raw_headers else ("", "")
    ids = MESSAGE_ID.findall(as_sent("message-id"))
    message_id = ids[0] if ids else content_message_id(msg, raw)
    try:
        text, html, parts, notes = _bodies(msg, raw)
    except Exception:  # a structure the library cannot walk: keep the raw body as text
        split = _BLANK_LINE.search(raw)
        body = raw[split.end() :] if split else raw
        text, html, parts = _clean_body(text_of(body, None)), "", []
        notes = ["This email's structure could not be read; its text is shown as sent."]
    parsed = ParsedMail(
        message_id=message_id,
        has_message_id=bool(ids),
        in_reply_to=tuple(MESSAGE_ID.findall(as_sent("in-reply-to"))),
        references=tuple(MESSAGE_ID.findall(as_sent("references"))),
        subject=" ".join(_header_text(msg, raw_headers, "subject").split())[:1000],
        sender=sender,
        sender_name=sender_name,
        reply_to=reply_to,
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc") if "cc" in raw_headers else (),
        delivered_to=_plain_addresses(
            raw_headers.get("delivered-to", []) + raw_headers.get("x-original-to", [])
        ),
        date=_date(as_sent("date")),
        text=text,
        html=html,
        attachments=parts,
        notes=notes,
        received=_received_date(raw_headers.get("received", [])),
        size=len(raw),
        auth_results=tuple(_clean(v) for v in raw_headers.get("authentication-results", [])),
        sender_doubt=_sender_doubt(msg, raw_headers.get("from", [])),
    )
    parsed.bounce = _bounce(msg, parsed)
    parsed.auto_reply = parsed.bounce is None and _is_auto_reply(as_sent, parsed)
    parsed.bulk = _is_bulk(as_sent)
    auto = as_sent("auto-submitted").strip().lower()
    parsed.auto_submitted = bool(auto and auto != "no") or as_sent("return-path").strip() == "<>"
    return parsed


def _raw_headers(msg: Message) -> dict[str, list[str]]:
    """Every header's raw values by lower-case name, read once: the header registry
    parses a header each time it is asked for, which costs more than the rest of the
    parse for the headers that need no decoding."""
    found: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        found.setdefault(name.lower(), []).append(str(value))
    return found


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_surrogates(text: str) -> str:
    """8-bit bytes that the parser kept as lone surrogates (a header sent without
    RFC 2047 encoding) read as UTF-8, else as Latin-1: the text can then be encoded
    and stored anywhere."""
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        data = text.encode("utf-8", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _clean(text: str) -> str:
    """A header value fit to store: no control characters (PostgreSQL cannot store NUL),
    no lone surrogates."""
    return _CONTROL_CHARS.sub("", _without_surrogates(text))


def _header_text(msg: Message, raw_headers: dict[str, list[str]], name: str) -> str:
    """A header's text: 8-bit bytes sent raw (no RFC 2047) read as UTF-8, else Latin-1;
    anything else decoded by the header registry."""
    values = raw_headers.get(name, [])
    if values and any("\ud800" <= ch <= "\udfff" for ch in values[0]):
        return _clean(" ".join(values[0].split()))
    return _header(msg, name.title())


def _header(msg: Message, name: str) -> str:
    """A header's decoded text without control characters (PostgreSQL cannot store NUL);
    a malformed one is read as raw text, never an error."""
    try:
        value = msg.get(name)
    except Exception:  # a header the registry cannot parse
        wanted = name.lower()  # its raw text, which nothing parses
        value = next((v for k, v in msg.raw_items() if k.lower() == wanted), "")
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        text = repr(value)
    return _clean(text)


def _addresses(msg: Message, name: str) -> tuple[str, ...]:
    found: list[str] = []
    try:
        values = msg.get_all(name) or []
    except Exception:
        return ()
    for value in values:
        header_addresses = getattr(value, "addresses", None)
        if header_addresses is not None:
            pairs = [(a.display_name, a.addr_spec) for a in header_addresses]
        else:
            pairs = getaddresses([str(value)])
        for _, addr in pairs:
            clean = _clean(addr).strip().lower()[:254]
            if "@" in clean and clean not in found:
                found.append(clean)
    return tuple(found)


def _plain_addresses(values: list[str]) -> tuple[str, ...]:
    """Addresses from headers that carry no display names (Delivered-To)."""
    found: list[str] = []
    for _, addr in getaddresses([_clean(v) for v in values]):
        clean = _address(addr)
        if "@" in clean and clean not in found:
            found.append(clean)
    return tuple(found)


def _first_address(msg: Message, name: str) -> tuple[str, str]:
    try:
        value = msg.get(name)
    except Exception:
        value = None
    addresses: tuple[Address, ...] = getattr(value, "addresses", ()) if value else ()
    for a in addresses:
        if a.addr_spec and "@" in a.addr_spec:
            return _clean(a.display_name or "")[:200], _address(a.addr_spec)
    if value:
        pairs = getaddresses([str(value)])
        for display, addr in pairs:
            if "@" in addr:
                return _clean(display)[:200], _address(addr)
    return "", ""


def _sender_doubt(msg: Message, raw_from: list[str]) -> str:
    """Why the From header cannot be taken to name one sender, or "": several From
    headers or addresses, defects, two parsers reading different addresses, or a
    display name that is itself another address ("lena@desk.example" <eve@evil>)."""
    if len(raw_from) > 1:
        return "several From headers"
    if not raw_from:
        return ""
    try:
        value = msg.get("From")
        addresses: tuple[Address, ...] = tuple(getattr(value, "addresses", ()) or ())
        defects = list(getattr(value, "defects", ()) or ())
    except Exception:  # the header registry cannot read it at all
        return "a From header that does not parse"
    if len(addresses) != 1:
        return f"{len(addresses)} addresses in From"
    # 8-bit bytes in the display name (a mailer that skipped RFC 2047) do not make the
    # address unclear; any other defect does.
    if any(type(d).__name__ != "UndecodableBytesDefect" for d in defects):
        return "a malformed From header"
    strict = _address(addresses[0].addr_spec)
    loose = [_address(a) for _, a in getaddresses([_clean(raw_from[0])]) if a]
    if loose != [strict]:
        return "a From header that parsers read differently"
    shown = _address(addresses[0].display_name or "")
    if "@" in shown and shown != strict:
        return "a display name that is another address"
    return ""


def _address(addr: str) -> str:
    return _clean(addr).strip().lower()[:254]


def _received_date(values: list[str]) -> dt.datetime | None:
    """The time in the last Received header (the first server the message reached)."""
    for value in reversed(values):
        moment = _date(_clean(value).rsplit(";", 1)[-1].strip())
        if moment is not None:
            return moment
    return None


def _date(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _decoded(part: Message) -> str:
    """A text part's content: in its declared charset when the bytes are that; a part
    without one (or whose bytes are not in it) as UTF-8 when they are valid UTF-8, else
    as Windows-1252/Latin-1, never with replacement characters for readable text."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    return text_of(payload, part.get_content_charset())


def text_of(data: bytes, charset: str | None) -> str:
    """Bytes as text: the declared charset, else UTF-8, else Windows-1252, else Latin-1."""
    for candidate in (charset, "utf-8", "cp1252"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return ""
    name = _clean(str(name).replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:255]


def _leaves(msg: Message) -> list[Message]:
    """The parts that carry content, in order: leaves, attached emails (message/rfc822,
    whole, never their parts) and multiparts whose boundary is missing or wrong (their
    payload is then text)."""
    found: list[Message] = []
    stack = [msg]
    while stack:
        part = stack.pop()
        payload = part.get_payload()
        if part.get_content_type() == "message/rfc822" or not isinstance(payload, list):
            found.append(part)
        else:
            stack.extend(p for p in reversed(payload) if isinstance(p, Message))
    return found


_BOUNDARY_LINE = re.compile(r"^--[^\s]{1,200}$")
_PART_HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:")


def _unbounded_text(text: str) -> str:
    """The text of a multipart whose boundary does not match its parts: the lines that
    are not boundary lines nor the part headers after them."""
    kept: list[str] = []
    in_headers = False
    for line in text.splitlines():
        if _BOUNDARY_LINE.match(line.strip()):
            in_headers = True
            continue
        if in_headers:
            if not line.strip():
                in_headers = False
            elif _PART_HEADER.match(line) or line[:1] in (" ", "\t"):
                continue
            else:
                in_headers = False
        kept.append(line)
    return "\n".join(kept).strip()


_UUENCODED = re.compile(
    r"^begin [0-7]{3,4} (?P<name>[^\r\n]+?)\r?\n(?P<data>.*?)^end\s*$", re.M | re.S
)


def _uudecoded(text: str) -> tuple[str, list[Part]]:
    """uuencoded files inside a plain text (Lotus Notes, old mailers): taken out of the
    text as attachments."""
    if "begin " not in text:
        return text, []
    files: list[Part] = []

    def extract(match: re.Match[str]) -> str:
        data = bytearray()
        try:
            for line in match.group("data").splitlines():
                if line.strip() in ("", "`"):
                    continue
                data += _uu_line(line)
        except binascii.Error:
            return match.group(0)  # not uuencoded after all: it stays text
        name = _clean(match.group("name").strip().replace("\\", "/").rsplit("/", 1)[-1])
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        files.append(Part(filename=name[:255], content_type=kind, data=bytes(data)))
        return ""

    return _UUENCODED.sub(extract, text), files


def _uu_line(line: str) -> bytes:
    """One uuencoded line; one with trailing garbage (some encoders pad) is read up to
    the length its first character gives, as the standard uu module did."""
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:
        size = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
        return binascii.a2b_uu(line[:size])


def _attached_originals(raw: bytes, msg: Message) -> dict[int, bytes]:
    """The original bytes of every attached email (by id of its message/rfc822 part),
    found by following the boundaries in the raw message as the parser did; a subtree
    whose pieces do not match the parsed parts is left out (then _eml writes it)."""
    found: dict[int, bytes] = {}

    def visit(entity: bytes, part: Message) -> None:
        _, body = _split_entity(entity)
        if part.get_content_type() == "message/rfc822":
            encoding = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
            if encoding in ("7bit", "8bit", "binary"):
                found[id(part)] = body
            return
        payload, boundary = part.get_payload(), part.get_boundary()
        if not isinstance(payload, list) or not boundary:
            return
        marker = re.escape(boundary.encode("utf-8", "surrogateescape"))
        delimiters = list(
            re.finditer(rb"(?:\A|\r?\n)--" + marker + rb"(--)?[ \t]*(?:\r?\n|\Z)", body)
        )
        pieces: list[bytes] = []
        for this, following in itertools.pairwise(delimiters):
            if this.group(1):  # the closing delimiter
                break
            pieces.append(body[this.end() : following.start()])
        if len(pieces) != len(payload):
            return
        for piece, sub in zip(pieces, payload, strict=True):
            if isinstance(sub, Message):
                visit(piece, sub)

    try:
        visit(raw, msg)
    except RecursionError:  # absurdly deep: the writer's copy will do
        return found
    return found


def _eml(part: Message, number: int, original: bytes | None) -> Part:
    """An attached email as one .eml file under its own subject: its original bytes
    when the boundaries lead to them, else written with its headers as they came
    (refold_source none: even headers the serializer would choke on); never its parts
    spread into the outer message."""
    inner = part.get_payload()
    message = inner[0] if isinstance(inner, list) and inner else None
    data = original or b""
    if isinstance(message, Message) and not data:
        out = io.BytesIO()
        try:
            BytesGenerator(out, mangle_from_=False,
                           policy=POLICY.clone(refold_source="none")).flatten(message)  # fmt: skip
            data = out.getvalue()
        except Exception:  # a structure the generator cannot write: the compat writer
            data = message.as_string(policy=compat32).encode("utf-8", "surrogateescape")
    subject = _header(message, "Subject") if isinstance(message, Message) else ""
    name = _filename(part) or (re.sub(r'[\\/:*?"<>|\s]+', " ", subject).strip()[:120] + ".eml")
    if name == ".eml":
        name = f"message-{number}.eml"
    elif not name.lower().endswith(".eml"):
        name += ".eml"
    return Part(filename=name[:255], content_type="message/rfc822", data=data)


def _bodies(msg: Message, raw: bytes) -> tuple[str, str, list[Part], list[str]]:
    """(text, html, attachments, notes): the first text/plain and text/html that are not
    attachments are the bodies; every other leaf is an attachment (inline ones too), an
    attached email one .eml. What does not fit (more than _MAX_PARTS parts) is left in
    the original message, and a note says so."""
    text, html = "", ""
    parts: list[Part] = []
    notes: list[str] = []
    leaves = _leaves(msg)
    originals = (
        _attached_originals(raw, msg)
        if any(p.get_content_type() == "message/rfc822" for p in leaves)
        else {}
    )
    if len(leaves) > _MAX_PARTS:
        notes.append(
            f"This email has {len(leaves)} parts; the first {_MAX_PARTS} are attached here, "
            "all of them are in the original email (.eml)."
        )
        leaves = leaves[:_MAX_PARTS]
    for part in leaves:
        kind = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        if kind == "message/rfc822":
            parts.append(_eml(part, len(parts) + 1, originals.get(id(part))))
            continue
        name = _filename(part)
        if kind == "message/delivery-status":
            continue
        if kind.startswith("multipart/"):  # its boundary is missing or wrong
            if not text:
                text = _unbounded_text(str(part.get_payload() or ""))
            continue
        if disposition != "attachment" and not name and kind in ("text/plain", "text/html"):
            if kind == "text/plain" and not text:
                text, found = _uudecoded(_decoded(part))
                parts += found
                continue
            if kind == "text/html" and not html:
                html = _decoded(part)
                continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = str(part.get_payload() or "").encode()
        cid = _header(part, "Content-ID").strip().strip("<>")
        parts.append(
            Part(
                filename=name or _default_name(kind, len(parts) + 1),
                content_type=kind,
                data=data,
                content_id=cid[:250],
                inline=disposition == "inline" or (bool(cid) and disposition != "attachment"),
            )
        )
    if not text and html:
        text = unescape(re.sub(r"(?s)<(script|style).*?</\1>|<[^>]+>", " ", html))
        text = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return _clean_body(text), _clean_body(html), parts, notes


def _clean_body(text: str) -> str:
    """A body keeps its tabs and newlines; NUL and lone surrogates go."""
    return _without_surrogates(text).replace("\x00", "")


def _default_name(kind: str, number: int) -> str:
    return f"attachment-{number}.{_EXTENSIONS.get(kind, 'bin')}"


_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "text/plain": "txt",
    "application/pdf": "pdf",
    "text/html": "html",
    "text/calendar": "ics",
}


# The line that starts forwarded mail: what follows is what the customer sends us, not
# history to hide (a quoted forward, "> ---- Forwarded …", stays a quote).
FORWARDED = re.compile(
    r"^[ \t]*(-{2,}[ \t]*(forwarded message|weitergeleitete nachricht|message transf[ée]r[ée]|"
    r"mensaje reenviado)[ \t]*-{2,}|begin forwarded message:|"
    r"anfang der weitergeleiteten nachricht:)",
    re.I | re.M,
)


# Outlook's header of the mail below, in a reply and in a forward alike: in a message
# that opens a ticket there is no history of ours below it, so it is kept like a forward.
ORIGINAL = re.compile(r"^[ \t]*-{2,}[ \t]*original message[ \t]*-{2,}", re.I | re.M)


def reply_text(text: str, *, first: bool = False) -> str:
    """The text without quoted history ("On … wrote:", "> …", "-----Original
    Message-----", in several languages) and without the signature; forwarded mail
    (from its "Forwarded message" line on) is kept whole, and so is the "Original
    Message" below the ``first`` message of a ticket."""
    forwarded = FORWARDED.search(text) or (ORIGINAL.search(text) if first else None)
    if forwarded is not None:
        own = _reply_only(text[: forwarded.start()])
        return f"{own}\n\n{text[forwarded.start() :].strip()}".strip()
    return _reply_only(text)


def _reply_only(text: str) -> str:
    if not text.strip():
        return ""
    try:
        visible = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text=text)
    except Exception:  # the reply parser is heuristic; fall back to the whole text
        visible = text
    visible = (visible or "").strip() or text.strip()
    lines = visible.splitlines()
    for i, line in enumerate(lines):  # the signature separator "-- " (RFC 3676)
        if line.rstrip() == "--" and i > 0:
            return "\n".join(lines[:i]).strip()
    return visible


def _is_auto_reply(as_sent: Callable[[str], str], parsed: ParsedMail) -> bool:
    """An answer a program gave to a message (RFC 3834 auto-replied, vacation notices,
    out-of-office subjects, mailer daemons): no ticket. Other automatic mail
    (auto-generated alerts and notifications) may open one."""
    if as_sent("auto-submitted").strip().lower().startswith("auto-replied"):
        return True
    if as_sent("x-autoreply").strip() or as_sent("x-autorespond").strip():
        return True
    if as_sent("precedence").strip().lower() == "auto_reply":
        return True
    if MAILER_DAEMONS.match(parsed.sender or ""):
        return True
    return bool(OUT_OF_OFFICE_SUBJECT.match(parsed.subject))


def _is_bulk(as_sent: Callable[[str], str]) -> bool:
    if as_sent("precedence").strip().lower() in ("bulk", "list", "junk"):
        return True
    return bool(as_sent("list-id").strip() or as_sent("list-unsubscribe").strip())


_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


def _bounce(msg: Message, parsed: ParsedMail) -> Bounce | None:
    """A delivery status notification with the failed recipients, or None: a message
    with a message/delivery-status part (multipart/report; report-type=delivery-status,
    or a report whose report-type is missing or wrong, as some MTAs send), or a
    multipart/report whose boundary is missing or wrong (its fields read from the text)."""
    if msg.is_multipart():
        blocks = [
            block
            for part in msg.walk()
            if part.get_content_type() == "message/delivery-status"
            for block in _status_blocks(part)
        ]
    elif msg.get_content_type() == "multipart/report":
        blocks = _blocks_of(str(msg.get_payload() or ""))
    else:
        return None
    recipients: list[str] = []
    status, diagnostic, failed = "", "", False
    for block in blocks:
        action = block.get("action", "").lower()
        if action not in ("failed", "delayed"):
            continue
        failed = failed or action == "failed"
        addr = block.get("final-recipient") or block.get("original-recipient") or ""
        addr = addr.split(";", 1)[-1].strip().strip("<>").lower()
        if "@" in addr and addr not in recipients:
            recipients.append(addr)
        status = status or block.get("status", "")
        diagnostic = diagnostic or block.get("diagnostic-code", "")
    if not recipients:
        return None
    match = _STATUS.search(status)
    permanent = failed and (match is None or match.group(1) == "5")
    return Bounce(tuple(recipients), permanent, status, diagnostic[:500])


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The per-recipient fields of a message/delivery-status part."""
    payload: Any = part.get_payload()
    texts: list[str] = []
    if isinstance(payload, list):
        texts = [m.as_string() if hasattr(m, "as_string") else str(m) for m in payload]
    else:
        raw = part.get_payload(decode=True)
        texts = [raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)]
    return [block for text in texts for block in _blocks_of(text)]


def _blocks_of(text: str) -> list[dict[str, str]]:
    """The "Field: value" blocks of a delivery status text, split at blank lines."""
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        for line in chunk.splitlines():
            if ":" in line and not line.startswith((" ", "\t")):
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks
