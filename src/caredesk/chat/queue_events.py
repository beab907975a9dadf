"""Chats as the staffing intervals count them: each chat that asks for a person is a
contact of its widget's staffing queue (channel chat), queued, answered by the agent who
accepts it, abandoned when the visitor leaves before that, and ended. The same records
as a telephony system's calls, so volume, wait, abandonment and handle time per interval,
forecasts and plans (with the queue's chats per agent) work for chat as for phone."""

from __future__ import annotations

from django.db.models import Avg

from caredesk.chat.changes import ConversationChange
from caredesk.chat.enums import ConversationStatus
from caredesk.chat.models import ChatAgent, ChatWidget, Conversation
from caredesk.staffing.models import CallEventKind, CallQueue, QueueChannel
from caredesk.staffing.services import CallEventData, call_event_record

QUEUE_NAME = "Chat: %s"
DEFAULT_CONCURRENCY = 3


def call_id_of(conversation: Conversation) -> str:
    return f"chat-{conversation.pk}"


def widget_queue(widget: ChatWidget) -> CallQueue:
    """The widget's staffing queue, made at its first chat: named after it, its team,
    and the chats per agent the chat agents are set to take (on average)."""
    if widget.queue_id is not None and widget.queue is not None:
        return widget.queue
    per_agent = ChatAgent.objects.aggregate(mean=Avg("concurrency"))["mean"]
    queue, _ = CallQueue.objects.get_or_create(
        name=(QUEUE_NAME % widget.name)[:100],
        defaults={
            "channel": QueueChannel.CHAT,
            "team": widget.team,
            "concurrency": round(per_agent) if per_agent else DEFAULT_CONCURRENCY,
        },
    )
    ChatWidget.objects.filter(pk=widget.pk).update(queue=queue)
    widget.queue = queue
    return queue


def _kind(change: ConversationChange) -> str | None:
    conversation = change.conversation
    if change.status == ConversationStatus.WAITING:
        return CallEventKind.QUEUED
    if change.status == ConversationStatus.ACTIVE:
        return CallEventKind.ANSWERED
    if change.status == ConversationStatus.ENDED and conversation.queued_at is not None:
        return CallEventKind.ENDED if conversation.accepted_at else CallEventKind.ABANDONED
    return None  # with the bot, or offline: never queued for a person


def staffing_on_conversation_change(change: ConversationChange) -> None:
    """Record the queue event the change is, once per chat and kind (a chat transferred
    back to the queue counts from its first queueing and its first answer)."""
    kind = _kind(change)
    if kind is None:
        return
    conversation = change.conversation
    at = change.at
    if kind == CallEventKind.QUEUED and conversation.queued_at is not None:
        at = conversation.queued_at
    elif kind == CallEventKind.ANSWERED and conversation.accepted_at is not None:
        at = conversation.accepted_at
    assignee = conversation.assignee if conversation.assignee_id else None
    call_event_record(
        data=CallEventData(
            kind=kind,
            call_id=call_id_of(conversation),
            queue=widget_queue(conversation.widget).name,
            at=at,
            agent_email=assignee.email if assignee is not None else "",
            customer_id=conversation.visitor_id,
        )
    )
