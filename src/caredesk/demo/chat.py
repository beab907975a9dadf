"""The demo's chat widget, on the demo's own shop page (/chat/demo/)."""

from __future__ import annotations

from caredesk.accounts.models import User
from caredesk.chat.widgets import widget_save
from caredesk.routing.models import Availability
from caredesk.routing.services import availability_set


def demo_chat(agent: User) -> None:
    widget_save(widget=None, data={
        "name": "Website chat", "allowed_origins": ["http://127.0.0.1:8000", "http://localhost:8000"],
        "bot_enabled": True, "greeting": "Hello! Ask us anything.",
        "topics": ["Orders", "Billing", "Technical"],
    })  # fmt: skip
    availability_set(user=agent, availability=Availability.ONLINE)  # answers the demo's chats
