"""Put agents' public messages in the outbox of the channel they go out through."""

from __future__ import annotations

from caredesk.channels.models import OutboundMessage
from caredesk.channels.tasks import outbox_deliver_task
from caredesk.core.jobs import job_enqueue
from caredesk.tickets.enums import Channel
from caredesk.tickets.models import Message

# Channels where caredesk itself must deliver an agent's reply. Portal and web requests
# are read in the portal; chat, phone and API replies travel with their own systems.
DELIVERED_CHANNELS = frozenset({Channel.EMAIL})


def outbox_enqueue(*, message: Message) -> OutboundMessage | None:
    """Queue a public agent message for delivery when its ticket's channel needs it.
    Idempotent: a message is queued at most once."""
    channel = message.ticket.channel
    if not message.is_public or channel not in DELIVERED_CHANNELS:
        return None
    row, created = OutboundMessage.objects.get_or_create(
        message=message, defaults={"channel": channel}
    )
    if created:
        job_enqueue(outbox_deliver_task, row.pk)
    return row
