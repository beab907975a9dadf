"""A chat's status changed: described once and handed to the one reaction list
(config/reactions.py CHAT_REACTIONS, named by CAREDESK_CHAT_REACTIONS), as ticket
changes are. ``set_status`` is the only writer of a conversation's status, so every door
(the socket, long-poll, the console, the bot) has the same effects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caredesk.chat.models import Conversation
from caredesk.core.reactions import reactions_of, reactions_run


@dataclass(frozen=True)
class ConversationChange:
    """``conversation`` is now ``status`` (ConversationStatus), since ``at``."""

    conversation: Conversation
    status: str
    at: datetime


def conversation_changed(change: ConversationChange) -> None:
    reactions_run(reactions_of("CAREDESK_CHAT_REACTIONS"), change)
