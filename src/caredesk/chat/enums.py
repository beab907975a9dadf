"""Chat states, who speaks, and what an event is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class ConversationStatus(models.TextChoices):
    BOT = "bot", gettext_lazy("With the bot")
    WAITING = "waiting", gettext_lazy("Waiting for an agent")
    ACTIVE = "active", gettext_lazy("With an agent")
    OFFLINE = "offline", gettext_lazy("No agent available")
    ENDED = "ended", gettext_lazy("Ended")


LIVE_STATUSES = (ConversationStatus.BOT, ConversationStatus.WAITING, ConversationStatus.ACTIVE)


class Sender(models.TextChoices):
    VISITOR = "visitor", gettext_lazy("Visitor")
    AGENT = "agent", gettext_lazy("Agent")
    BOT = "bot", gettext_lazy("Bot")
    SYSTEM = "system", gettext_lazy("System")


class EventKind(models.TextChoices):
    MESSAGE = "message", gettext_lazy("Message")
    STATUS = "status", gettext_lazy("Status")
    NOTE = "note", gettext_lazy("Internal note")  # staff only: never sent to the visitor
