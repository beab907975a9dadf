"""Chat's writes: conversations (sessions, what is said, who has the chat) and their end."""

from caredesk.chat.services.conversations import (
    ChatAuthError,
    Session,
    agent_say,
    conversation_accept,
    conversation_for_token,
    conversation_transfer,
    origin_check,
    session_start,
    visitor_handoff,
    visitor_say,
    widget_get,
)
from caredesk.chat.services.ending import conversation_end, offline_request

__all__ = [
    "ChatAuthError",
    "Session",
    "agent_say",
    "conversation_accept",
    "conversation_end",
    "conversation_for_token",
    "conversation_transfer",
    "offline_request",
    "origin_check",
    "session_start",
    "visitor_handoff",
    "visitor_say",
    "widget_get",
]
