"""Put agents' public messages in the outbox of the channel they go out through."""

from __future__ import annotations

from caredesk.channels.messaging.outbound import channel_outbox_enqueue
from caredesk.channels.models import ChannelOutbound, OutboundMessage
from caredesk.channels.tasks import outbox_deliver_task
from caredesk.core.jobs import job_enqueue
from caredesk.tickets.enums import Channel
from caredesk.tickets.models import Message

# Channels where caredesk itself must deliver an agent's reply: email, and messaging
# services that posted the conversation to a channel's webhook. Portal and web requests
# are read in the portal; chat, phone and API replies travel with their own systems.
DELIVERED_CHANNELS = frozenset({Channel.EMAIL, Channel.WEBHOOK})


def outbox_enqueue(*, message: Message) -> OutboundMessage | ChannelOutbound | None:
    """Queue a public agent message for delivery when its ticket's channel needs it.
    Idempotent: a message is queued at most once."""
    channel = message.ticket.channel
    if not message.is_public or channel not in DELIVERED_CHANNELS:
        return None
    if channel == Channel.WEBHOOK:
        return channel_outbox_enqueue(message=message)
    row, created = OutboundMessage.objects.get_or_create(
        message=message, defaults={"channel": channel}
    )
    if created:
        job_enqueue(outbox_deliver_task, row.pk)
    return row
