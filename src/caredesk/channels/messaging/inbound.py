"""What a messaging channel posts to caredesk: checked (its signature, within the replay
window), then filed once — a customer's message on the ticket of its conversation (a
new ticket when there is none or it is closed), the customer found by the handle — or
a delivery report recorded on the reply it names."""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.channels.errors import (
    BodyTooLarge,
    ChannelErrorCode,
    ChannelNotReady,
    ChannelUnknown,
    SignatureRefused,
)
from caredesk.channels.messaging.formats import (
    FormatError,
    Inbound,
    StatusUpdate,
    generic_parse,
    sms_form_parse,
    sms_form_signature,
)
from caredesk.channels.messaging.setup import gateway_token
from caredesk.channels.models import (
    ChannelConversation,
    ChannelInbound,
    ChannelOutbound,
    DeliveryState,
    MessagingAdapter,
    MessagingChannel,
)
from caredesk.core.errors import ValidationFailed
from caredesk.core.webhook_http import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_problem
from caredesk.customers.enums import ContactKind
from caredesk.customers.models import Customer
from caredesk.customers.services import customer_get_or_create_by_contact
from caredesk.tickets.enums import AuthorRole, Channel, TicketStatus
from caredesk.tickets.models import Message, Ticket
from caredesk.tickets.services.messages import message_add
from caredesk.tickets.services.tickets import ticket_create

MAX_BODY = 256 * 1024
REPLAY_WINDOW = 300  # seconds a signed timestamp is good for
SUBJECT_LENGTH = 80
TWILIO_SIGNATURE = "X-Twilio-Signature"


@dataclass(frozen=True)
class Received:
    """What a customer's message became; ``duplicate``: it had been received before."""

    ticket_id: int
    message_id: int | None
    duplicate: bool = False


@dataclass(frozen=True)
class StatusRecorded:
    """A delivery report: whether it named a reply caredesk sent."""

    known: bool


def channel_by_key(key: str) -> MessagingChannel:
    """The active channel with this key, or ChannelUnknown."""
    channel = MessagingChannel.objects.filter(key=key, active=True).first()
    if channel is None:
        raise ChannelUnknown(ChannelErrorCode.UNKNOWN_CHANNEL, _("No such channel."))
    return channel


def inbound_receive(
    *,
    channel: MessagingChannel,
    body: bytes,
    headers: Mapping[str, str],
    form: dict[str, str] | None,
    url: str,
) -> Received | StatusRecorded | None:
    """Check and file one post to the channel's inbound URL. ``form``: the posted form
    (the SMS adapter), ``url``: the address it was posted to (the gateway signs it).
    None: a report of a state that is not news (queued, sending)."""
    if len(body) > MAX_BODY:
        raise BodyTooLarge(ChannelErrorCode.TOO_LARGE, _("The request body is too large."))
    if channel.adapter == MessagingAdapter.SMS_FORM:
        _sms_signature_check(channel, headers, form or {}, url)
    else:
        _signature_check(channel, headers, body)
    try:
        parsed = (
            sms_form_parse(form or {})
            if channel.adapter == MessagingAdapter.SMS_FORM
            else generic_parse(body)
        )
    except FormatError as exc:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_BODY, _format_message(exc), field=exc.field
        ) from None
    if parsed is None:
        return None
    if isinstance(parsed, StatusUpdate):
        return status_record(channel=channel, update=parsed)
    return message_receive(channel=channel, inbound=parsed)


def _signature_check(channel: MessagingChannel, headers: Mapping[str, str], body: bytes) -> None:
    problem = signature_problem(
        channel.secret,
        headers.get(TIMESTAMP_HEADER, ""),
        body,
        headers.get(SIGNATURE_HEADER, ""),
        now=time.time(),
        window=REPLAY_WINDOW,
    )
    if problem == "stale":
        raise SignatureRefused(
            ChannelErrorCode.STALE_SIGNATURE,
            _("The timestamp is more than %(seconds)s seconds old or ahead; sign the "
              "request when you send it.") % {"seconds": REPLAY_WINDOW},
        )  # fmt: skip
    if problem:
        raise SignatureRefused(
            ChannelErrorCode.INVALID_SIGNATURE,
            _("The signature is missing or does not match: %(header)s is sha256= and "
              "the HMAC-SHA256 of the timestamp, a dot and the body with the channel's "
              "secret.") % {"header": SIGNATURE_HEADER},
        )  # fmt: skip


def _sms_signature_check(
    channel: MessagingChannel, headers: Mapping[str, str], form: dict[str, str], url: str
) -> None:
    token = gateway_token(channel)
    if not token:
        raise ChannelNotReady(
            ChannelErrorCode.CHANNEL_NOT_READY,
            _("The channel's auth token is not set on the server."),
        )
    expected = sms_form_signature(token, url, form)
    if not hmac.compare_digest(expected, headers.get(TWILIO_SIGNATURE, "").strip()):
        raise SignatureRefused(
            ChannelErrorCode.INVALID_SIGNATURE,
            _("The gateway's signature is missing or does not match."),
        )


def _format_message(exc: FormatError) -> str:
    words = {
        "missing": _("%(field)s is required."),
        "not_text": _("%(field)s must be a string."),
        "not_object": _("%(field)s must be a JSON object."),
        "too_long": _("%(field)s is too long."),
        "not_one_of": _("%(field)s must be one of: %(choices)s."),
    }
    return words.get(exc.problem, _("%(field)s is not valid.")) % {
        "field": exc.field,
        "choices": ", ".join(exc.choices),
    }


def message_receive(*, channel: MessagingChannel, inbound: Inbound) -> Received:
    """File a customer's message once: a message id seen before answers what the first
    became. Two messages of a new conversation at once both land on one ticket (the
    one that loses the race to open it files again)."""
    for _attempt in range(3):
        seen = _seen(channel, inbound.message_id)
        if seen is not None:
            return seen
        try:
            with transaction.atomic():
                return _file(channel, inbound)
        except IntegrityError:
            continue  # a repeat, or a conversation opened meanwhile: look again
    seen = _seen(channel, inbound.message_id)
    if seen is None:
        raise IntegrityError(f"message {inbound.message_id} could not be filed")
    return seen


def _seen(channel: MessagingChannel, provider_message_id: str) -> Received | None:
    row = (
        ChannelInbound.objects.filter(channel=channel, provider_message_id=provider_message_id)
        .values("ticket_id", "message_id")
        .first()
    )
    if row is None:
        return None
    return Received(row["ticket_id"], row["message_id"], duplicate=True)


def _customer(channel: MessagingChannel, inbound: Inbound) -> Customer:
    kind, value = {
        "phone": (ContactKind.PHONE, inbound.handle),
        "email": (ContactKind.EMAIL, inbound.handle),
    }.get(inbound.handle_kind, (ContactKind.SOCIAL, f"{channel.key}:{inbound.handle}"))
    try:
        return customer_get_or_create_by_contact(kind=kind, value=value, name=inbound.name[:200])
    except ValidationFailed as exc:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_BODY, exc.message, field="from.handle"
        ) from None


def _open_ticket(conversation: ChannelConversation | None) -> Ticket | None:
    """The conversation's ticket, followed through merges, if it still takes messages."""
    ticket = conversation.ticket if conversation is not None else None
    for _hop in range(10):
        if ticket is None or ticket.merged_into_id is None:
            break
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
    if ticket is None or ticket.status == TicketStatus.CLOSED or ticket.merged_into_id:
        return None
    return ticket


def _file(channel: MessagingChannel, inbound: Inbound) -> Received:
    customer = _customer(channel, inbound)
    conversation = (
        ChannelConversation.objects.select_for_update()
        .select_related("ticket")
        .filter(channel=channel, conversation_id=inbound.conversation_id)
        .first()
    )
    ticket = _open_ticket(conversation)
    message: Message | None
    if ticket is not None:
        message = message_add(
            ticket=ticket,
            author=None,
            author_customer=customer,
            author_role=AuthorRole.CUSTOMER,
            text=inbound.text,
            channel=Channel.WEBHOOK,
        )
    else:
        ticket = ticket_create(
            requester=customer,
            subject=_subject(inbound.text),
            text=inbound.text,
            channel=Channel.WEBHOOK,
            team=channel.team,
            follow_up_of=conversation.ticket if conversation is not None else None,
        )
        message = ticket.messages.order_by("id").first()
    if conversation is None:
        ChannelConversation.objects.create(
            channel=channel,
            conversation_id=inbound.conversation_id,
            handle=inbound.handle,
            ticket=ticket,
        )
    elif conversation.ticket_id != ticket.pk or conversation.handle != inbound.handle:
        conversation.ticket = ticket
        conversation.handle = inbound.handle
        conversation.save(update_fields=["ticket", "handle", "updated_at"])
    ChannelInbound.objects.create(
        channel=channel,
        provider_message_id=inbound.message_id,
        ticket=ticket,
        message=message,
    )
    return Received(ticket.pk, message.pk if message is not None else None)


def _subject(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_LENGTH else line[: SUBJECT_LENGTH - 1].rstrip() + "…"


def status_record(*, channel: MessagingChannel, update: StatusUpdate) -> StatusRecorded:
    """Record what the provider says became of a reply; a report never moves it back
    (read stays read when a late "delivered" arrives)."""
    rank = {"": 0, DeliveryState.DELIVERED: 1, DeliveryState.READ: 2, DeliveryState.FAILED: 3}
    row = ChannelOutbound.objects.filter(
        channel=channel, provider_message_id=update.message_id
    ).first()
    if row is None:
        return StatusRecorded(known=False)
    if rank[update.status] > rank.get(row.delivery, 0):
        row.delivery = update.status
        row.delivery_error = update.error[:2000]
        row.delivery_at = timezone.now()
        row.save(update_fields=["delivery", "delivery_error", "delivery_at", "updated_at"])
    return StatusRecorded(known=True)
