"""What messaging providers post to caredesk and what caredesk posts back, for each
adapter: caredesk's generic JSON and an SMS gateway's form posts (Twilio's shape,
which many gateways copy). Parsing and building only; framework-free.

A parse gives an :class:`Inbound` (a customer's message) or a :class:`StatusUpdate`
(what became of one of ours), or raises :class:`FormatError` naming the field and
what is wrong with it (``problem`` is one of :data:`PROBLEMS`; the caller words it).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

HANDLE_KINDS = ("phone", "social", "email")
STATUSES = ("delivered", "read", "failed")
MAX_TEXT = 20_000
MAX_ID = 200

# what a FormatError's problem may be
PROBLEMS = ("missing", "not_text", "not_object", "too_long", "not_one_of")


class FormatError(ValueError):
    """The body is not of the adapter's shape: ``field`` has ``problem``."""

    def __init__(self, field: str, problem: str, choices: tuple[str, ...] = ()) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
        self.choices = choices


@dataclass(frozen=True)
class Inbound:
    """A customer's message: the provider's ids, who sent it and what it says."""

    message_id: str
    conversation_id: str
    handle: str
    handle_kind: str  # one of HANDLE_KINDS
    name: str
    text: str


@dataclass(frozen=True)
class StatusUpdate:
    """What became of a message caredesk sent: the provider's id for it and its state."""

    message_id: str
    status: str  # one of STATUSES
    error: str = ""


def _text(data: dict[str, Any], field: str, *, required: bool = True, limit: int = MAX_ID) -> str:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise FormatError(field, "missing")
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a numeric id
    if not isinstance(value, str):
        raise FormatError(field, "not_text")
    value = value.strip()
    if required and not value:
        raise FormatError(field, "missing")
    if len(value) > limit:
        raise FormatError(field, "too_long")
    return value


def generic_parse(body: bytes) -> Inbound | StatusUpdate:
    """caredesk's generic JSON (docs/channels.md): ``{"kind": "message", ...}`` or
    ``{"kind": "status", ...}``."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise FormatError("body", "not_object") from None
    if not isinstance(data, dict):
        raise FormatError("body", "not_object")
    kind = data.get("kind")
    if kind == "status":
        status = _text(data, "status")
        if status not in STATUSES:
            raise FormatError("status", "not_one_of", STATUSES)
        return StatusUpdate(
            message_id=_text(data, "message_id"),
            status=status,
            error=_text(data, "error", required=False, limit=2000),
        )
    if kind != "message":
        raise FormatError("kind", "not_one_of", ("message", "status"))
    sender = data.get("from")
    if not isinstance(sender, dict):
        raise FormatError("from", "missing" if sender is None else "not_object")
    handle_kind = _text(sender, "kind", required=False) or "social"
    if handle_kind not in HANDLE_KINDS:
        raise FormatError("from.kind", "not_one_of", HANDLE_KINDS)
    try:
        handle = _text(sender, "handle", limit=254)
        name = _text(sender, "name", required=False)
    except FormatError as exc:
        raise FormatError(f"from.{exc.field}", exc.problem) from None
    return Inbound(
        message_id=_text(data, "message_id"),
        conversation_id=_text(data, "conversation_id", required=False) or handle,
        handle=handle,
        handle_kind=handle_kind,
        name=name,
        text=_text(data, "text", limit=MAX_TEXT),
    )


def generic_outbound(
    *,
    delivery_id: int,
    conversation_id: str,
    handle: str,
    text: str,
    author: str,
    ticket_id: int,
    sent_at: dt.datetime,
) -> bytes:
    """An agent's reply as the generic JSON caredesk posts to the channel's URL."""
    return json.dumps(
        {
            "kind": "message",
            "delivery_id": str(delivery_id),
            "conversation_id": conversation_id,
            "to": {"handle": handle},
            "text": text,
            "author": {"name": author},
            "ticket_id": ticket_id,
            "sent_at": sent_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def provider_id_of(body: str, key: str) -> str:
    """The receiver's id for what it accepted (``key`` in its JSON answer), if any."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    value = data.get(key) if isinstance(data, dict) else None
    return str(value)[:MAX_ID] if isinstance(value, str | int) and value != "" else ""


# Twilio's message states, as its status callbacks name them, mapped to caredesk's
# (sending states are not news: the row says "sent" already).
SMS_STATUSES = {"delivered": "delivered", "read": "read", "failed": "failed",
                "undelivered": "failed"}  # fmt: skip


def sms_form_parse(form: dict[str, str]) -> Inbound | StatusUpdate | None:
    """An SMS gateway's form post: an incoming text (From, To, Body, MessageSid) or a
    status callback (MessageSid, MessageStatus). None: a state that is not news
    (queued, sending, sent)."""
    status = form.get("MessageStatus") or form.get("SmsStatus") or ""
    if status and not form.get("Body"):
        if status not in SMS_STATUSES:
            return None
        return StatusUpdate(
            message_id=_text(form, "MessageSid"),
            status=SMS_STATUSES[status],
            error=" ".join(filter(None, (form.get("ErrorCode"), form.get("ErrorMessage")))),
        )
    handle = _text(form, "From", limit=254)
    return Inbound(
        message_id=_text(
            form, "SmsSid" if form.get("SmsSid") and not form.get("MessageSid") else "MessageSid"
        ),
        conversation_id=handle,
        handle=handle,
        handle_kind="phone",
        name="",
        text=_text(form, "Body", limit=MAX_TEXT),
    )


def sms_form_signature(token: str, url: str, form: dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature: base64 of HMAC-SHA1 over the URL it posted to
    followed by each parameter's name and value, sorted by name."""
    data = url + "".join(f"{k}{form[k]}" for k in sorted(form))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def sms_form_outbound(*, sender: str, to: str, text: str, status_url: str) -> dict[str, str]:
    """An agent's reply as the form a gateway's send API takes."""
    return {"From": sender, "To": to, "Body": text, "StatusCallback": status_url}
