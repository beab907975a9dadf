"""Agents' replies on a messaging channel's ticket, posted to the channel's outbound URL
through the leased outbox (core/outbox.py): signed, retried with backoff, the
provider's id for the message kept so that its delivery reports find the reply."""

from __future__ import annotations

import base64
import datetime as dt
import time
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from caredesk.channels.messaging.formats import (
    generic_outbound,
    provider_id_of,
    sms_form_outbound,
)
from caredesk.channels.messaging.setup import gateway_token
from caredesk.channels.models import (
    ChannelConversation,
    ChannelOutbound,
    MessagingAdapter,
    MessagingChannel,
    OutboundStatus,
)
from caredesk.channels.tasks import messaging_deliver_task
from caredesk.core.html import html_to_text
from caredesk.core.jobs import job_enqueue
from caredesk.core.outbox import Delivered, LeasedOutbox, Outcome, TryFailed, Undeliverable
from caredesk.core.webhook_http import (
    BACKOFF,
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AddressRefused,
    post,
    signature,
)
from caredesk.tickets.enums import EventKind
from caredesk.tickets.models import Message
from caredesk.tickets.services.events import event_record

EVENT = "channel.message"
# a receiver that answers one of these may take the message later; any other 4xx never
RETRIED_CODES = frozenset({408, 409, 425, 429})


def channel_outbox_enqueue(*, message: Message) -> ChannelOutbound | None:
    """Queue an agent's public reply for the channel its ticket's conversation came
    through, if it came through one. Idempotent: a message is queued at most once."""
    conversation = (
        ChannelConversation.objects.filter(ticket_id=message.ticket_id)
        .order_by("-updated_at", "-id")
        .first()
    )
    if conversation is None:
        return None
    row, created = ChannelOutbound.objects.get_or_create(
        message=message,
        defaults={
            "conversation": conversation,
            "channel_id": conversation.channel_id,
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        job_enqueue(messaging_deliver_task, row.pk)
    return row


def inbound_url(channel: MessagingChannel) -> str:
    """The address the provider posts to (and an SMS gateway's status callbacks go to)."""
    path = reverse("channel_inbound", kwargs={"key": channel.key})
    return f"{settings.CAREDESK_BASE_URL}{path}"


def _text_of(message: Message) -> str:
    return message.text or html_to_text(message.html)


def _request(row: ChannelOutbound) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the post, for the channel's adapter."""
    channel, message = row.channel, row.message
    if channel.adapter == MessagingAdapter.SMS_FORM:
        token = gateway_token(channel)
        if not token:
            raise TryFailed(f"The environment variable {channel.token_env} is not set.")
        form = sms_form_outbound(
            sender=channel.sender,
            to=row.conversation.handle,
            text=_text_of(message),
            status_url=inbound_url(channel),
        )
        credentials = base64.b64encode(f"{channel.account}:{token}".encode()).decode()
        return urlencode(form).encode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {credentials}",
        }
    author = message.author_user.get_full_name() if message.author_user else ""
    body = generic_outbound(
        delivery_id=row.pk,
        conversation_id=row.conversation.conversation_id,
        handle=row.conversation.handle,
        text=_text_of(message),
        author=author,
        ticket_id=message.ticket_id,
        sent_at=message.created_at,
    )
    stamp = str(int(time.time()))
    return body, {
        SIGNATURE_HEADER: signature(channel.secret, stamp, body),
        TIMESTAMP_HEADER: stamp,
        EVENT_HEADER: EVENT,
        DELIVERY_HEADER: str(row.pk),
    }


def _send(row: ChannelOutbound) -> Delivered:
    """Post the reply; a 2xx answer sends it (its JSON may name the provider's id)."""
    channel = row.channel
    if not channel.active:
        raise Undeliverable(f"The channel {channel.name} is switched off.")
    if not channel.outbound_url:
        raise Undeliverable(f"The channel {channel.name} has no outbound URL.")
    body, headers = _request(row)
    try:
        response = post(
            channel.outbound_url,
            body,
            headers,
            timeout=float(settings.CAREDESK_WEBHOOK_TIMEOUT),
            allow_private=channel.allow_private,
        )
    except AddressRefused as exc:
        raise Undeliverable(str(exc), last_status_code=None) from exc
    except OSError as exc:  # refused, reset, timed out, TLS
        raise TryFailed(f"{type(exc).__name__}: {exc}", last_status_code=None) from exc
    code = response.status
    reason = f"HTTP {code}: {response.body[:500]}"
    if 400 <= code < 500 and code not in RETRIED_CODES:
        raise Undeliverable(reason, last_status_code=code)
    if not 200 <= code < 300:
        raise TryFailed(reason, last_status_code=code)
    key = "sid" if channel.adapter == MessagingAdapter.SMS_FORM else "message_id"
    return Delivered(
        f"HTTP {code}",
        {"last_status_code": code, "provider_message_id": provider_id_of(response.body, key)},
    )


def _done(row: ChannelOutbound, outcome: Outcome) -> None:
    """A reply that could not be sent is recorded on its ticket."""
    if outcome.outcome == "failed":
        event_record(
            ticket=row.message.ticket,
            actor=None,
            kind=EventKind.CHANGED,
            field="channel_delivery",
            new=f"message {row.message_id} to {row.channel.name} failed: {outcome.detail}"[:2000],
        )


# The lease outlasts the request's timeout; retries back off from a minute to 12 hours.
OUTBOX = LeasedOutbox(
    model=ChannelOutbound,
    send=_send,
    pending=OutboundStatus.QUEUED,
    sent=OutboundStatus.SENT,
    failed=OutboundStatus.FAILED,
    backoff=BACKOFF,
    lease_seconds=lambda: float(settings.CAREDESK_WEBHOOK_TIMEOUT) + 5,
    related=("channel", "conversation", "message__ticket", "message__author_user"),
    on_done=_done,
)


def messaging_deliver(*, row_id: int, now: dt.datetime | None = None) -> Outcome:
    """Try to send one reply now, if it is due and nobody else is sending it."""
    return OUTBOX.attempt(row_id=row_id, now=now)


def messaging_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send the replies that are due and not leased; returns how many were tried."""
    return OUTBOX.run_due(now=now, limit=limit)
