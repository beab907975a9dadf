"""Chat widgets, conversations and their numbered events (the one record a visitor's
screen and an agent's console are both rebuilt from)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caredesk.chat.enums import ConversationStatus, EventKind, Sender
from caredesk.core.models import BaseModel


class ChatWidget(BaseModel):
    """One embeddable widget: where it may run, who answers, and what it asks first."""

    name = models.CharField(max_length=100, verbose_name=gettext_lazy("name"))
    key = models.CharField(max_length=40, unique=True, verbose_name=gettext_lazy("widget key"))
    is_active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy('Sites that may embed it: ["https://www.example.com"]'),
        verbose_name=gettext_lazy("allowed origins"),
    )
    identity_secret = models.CharField(
        max_length=100,
        blank=True,
        help_text=gettext_lazy(
            "The site signs a signed-in visitor's email with it (HMAC-SHA256); empty: "
            "every visitor is anonymous."
        ),
        verbose_name=gettext_lazy("identity secret"),
    )
    bot_enabled = models.BooleanField(
        default=True,
        help_text=gettext_lazy("The knowledge base's bot answers first and hands over."),
        verbose_name=gettext_lazy("bot answers first"),
    )
    ask_name = models.BooleanField(default=True, verbose_name=gettext_lazy("ask for a name"))
    ask_email = models.BooleanField(default=True, verbose_name=gettext_lazy("ask for an email"))
    email_required = models.BooleanField(default=False, verbose_name=gettext_lazy("email required"))
    topics = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy('Topics a visitor picks from: ["Billing", "Technical"]'),
        verbose_name=gettext_lazy("topics"),
    )
    greeting = models.CharField(
        max_length=300,
        blank=True,
        default="",
        verbose_name=gettext_lazy("greeting"),
    )
    color = models.CharField(max_length=7, default="#1f6feb", verbose_name=gettext_lazy("colour"))
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_widgets",
        help_text=gettext_lazy("Who answers; empty: any agent."),
        verbose_name=gettext_lazy("team"),
    )
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_widgets",
        help_text=gettext_lazy("The chat queue's business hours; empty: always open."),
        verbose_name=gettext_lazy("business hours"),
    )
    queue = models.ForeignKey(
        "staffing.CallQueue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_widgets",
        editable=False,
        help_text=gettext_lazy("The staffing queue its chats are counted in (made at the first)."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(key=""), name="chatwidget_key_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class ChatAgent(models.Model):
    """How many chats one member of staff takes at once."""

    user = models.OneToOneField(
        "accounts.User", primary_key=True, on_delete=models.CASCADE, related_name="chat"
    )
    concurrency = models.PositiveSmallIntegerField(
        default=3, verbose_name=gettext_lazy("chats at once")
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.concurrency} chats)"


class Conversation(BaseModel):
    """One chat: its visitor, its state, and the last sequence number it handed out."""

    widget = models.ForeignKey(ChatWidget, on_delete=models.PROTECT, related_name="conversations")
    visitor = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="chats"
    )
    verified = models.BooleanField(
        default=False, help_text=gettext_lazy("The site signed the visitor's email.")
    )
    name = models.CharField(max_length=200, blank=True, default="")
    email = models.CharField(
        max_length=254,
        blank=True,
        default="",
        help_text=gettext_lazy("As the visitor typed it; trusted only when verified."),
    )
    topic = models.CharField(max_length=100, blank=True, default="")
    origin = models.CharField(max_length=200, blank=True, default="")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.WAITING
    )
    assignee = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chats_assigned",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="chats"
    )
    last_seq = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)  # waiting for an agent since
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_agent_reply_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    abandoned = models.BooleanField(
        default=False, help_text=gettext_lazy("The visitor left before an agent answered.")
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="chats"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="chat_conv_queue_idx"),
            models.Index(fields=["assignee", "status"], name="chat_conv_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ConversationStatus.values), name="chat_conv_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk} ({self.status})"


class ChatEvent(models.Model):
    """A numbered event of a conversation: what was said, by whom, or a change of state.
    Sequence numbers start at 1 and have no gaps; a client's id makes a send idempotent."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=EventKind.choices, default=EventKind.MESSAGE)
    sender = models.CharField(max_length=8, choices=Sender.choices)
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    client_id = models.CharField(max_length=64, null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)  # e.g. the bot's article
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_event_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "client_id"],
                condition=Q(client_id__isnull=False),
                name="chat_event_client_id_unique",
            ),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="chat_event_kind"),
            models.CheckConstraint(condition=Q(sender__in=Sender.values), name="chat_event_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq} {self.sender}: {self.text[:40]}"
