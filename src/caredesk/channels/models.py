"""Messages waiting to leave caredesk through their ticket's channel."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued")
    SENT = "sent", gettext_lazy("Sent")
    FAILED = "failed", gettext_lazy("Failed")


class MailOutboxRow(BaseModel):
    """What a row of a mail outbox keeps (core.outbox.LeasedOutbox): its status, the
    attempts made, when the next is due (or the lease ends), when it was sent, why the
    last try failed."""

    status = models.CharField(
        max_length=8, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True


class OutboundMessage(MailOutboxRow):
    """One public agent message to deliver (the outbox). The mail channel's sender picks
    queued rows, delivers them and records the outcome; a row is never deleted."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="outbound"
    )
    channel = models.CharField(max_length=10)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["channel", "next_attempt_at"],
                name="outbound_queued_idx",
                condition=Q(status="queued"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sent", "failed"]), name="outbound_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} message {self.message_id} ({self.status})"


class AgentNotice(MailOutboxRow):
    """An email telling a member of staff about a customer's message on their ticket,
    with the agent's own signed reply address: answering it writes as that agent
    (channels.mail.trust). Sent through the leased outbox like customers' mail."""

    message = models.ForeignKey(
        "tickets.Message", on_delete=models.CASCADE, related_name="agent_notices"
    )
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="agent_notice_queued_idx",
                condition=Q(status="queued"),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="agent_notice_once"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sent", "failed"]),
                name="agent_notice_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"notice of message {self.message_id} to user {self.user_id} ({self.status})"


class UnprovenReplies(models.TextChoices):
    NEW = "new", gettext_lazy("Open a new ticket, marked as a possible follow-up")
    HOLD = "hold", gettext_lazy("Hold for review")


class Security(models.TextChoices):
    SSL = "ssl", gettext_lazy("TLS from the start (IMAPS 993 / SMTPS 465)")
    STARTTLS = "starttls", gettext_lazy("STARTTLS")
    NONE = "none", gettext_lazy("None (only on a trusted network)")


class Mailbox(BaseModel):
    """An address customers write to: where caredesk fetches its mail (IMAP) and how it
    answers (SMTP). Passwords are never stored: each setting names the environment
    variable that holds it."""

    name = models.CharField(max_length=100, verbose_name=gettext_lazy("name"))
    address = models.EmailField(unique=True, verbose_name=gettext_lazy("address"))
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("team"),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))
    imap_host = models.CharField(max_length=255, blank=True, verbose_name=gettext_lazy("IMAP host"))
    imap_port = models.PositiveIntegerField(default=993, verbose_name=gettext_lazy("IMAP port"))
    imap_security = models.CharField(
        max_length=8,
        choices=Security.choices,
        default="ssl",
        verbose_name=gettext_lazy("IMAP security"),
    )
    imap_user = models.CharField(max_length=255, blank=True, verbose_name=gettext_lazy("IMAP user"))
    imap_password_env = models.CharField(
        max_length=100,
        blank=True,
        help_text=gettext_lazy("Name of the environment variable with the password."),
        verbose_name=gettext_lazy("IMAP password variable"),
    )
    imap_folder = models.CharField(
        max_length=200, default="INBOX", verbose_name=gettext_lazy("IMAP folder")
    )
    processed_folder = models.CharField(
        max_length=200,
        blank=True,
        help_text=gettext_lazy("Move fetched mail here; empty: flag it seen."),
        verbose_name=gettext_lazy("processed folder"),
    )
    uidvalidity = models.BigIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("uidvalidity")
    )
    last_uid = models.BigIntegerField(default=0, verbose_name=gettext_lazy("last uid"))
    smtp_host = models.CharField(
        max_length=255,
        blank=True,
        help_text=gettext_lazy("Empty: send through EMAIL_URL."),
        verbose_name=gettext_lazy("SMTP host"),
    )
    smtp_port = models.PositiveIntegerField(default=587, verbose_name=gettext_lazy("SMTP port"))
    smtp_security = models.CharField(
        max_length=8,
        choices=Security.choices,
        default="starttls",
        verbose_name=gettext_lazy("SMTP security"),
    )
    smtp_user = models.CharField(max_length=255, blank=True, verbose_name=gettext_lazy("SMTP user"))
    smtp_password_env = models.CharField(
        max_length=100, blank=True, verbose_name=gettext_lazy("SMTP password variable")
    )
    signature = models.TextField(blank=True, verbose_name=gettext_lazy("signature"))
    auto_acknowledge = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Answer each new request with a short acknowledgement."),
        verbose_name=gettext_lazy("auto acknowledge"),
    )
    authserv_id = models.CharField(
        max_length=255,
        blank=True,
        default="",
        db_default="",
        help_text=gettext_lazy(
            "The authserv-id your own mail server writes in Authentication-Results (e.g. "
            "mx.example.com); only its results are believed. Empty: none are."
        ),
        verbose_name=gettext_lazy("trusted authserv-id"),
    )
    unproven_replies = models.CharField(
        max_length=4,
        choices=UnprovenReplies.choices,
        default=UnprovenReplies.NEW,
        db_default=UnprovenReplies.NEW,
        help_text=gettext_lazy(
            "A reply that names a ticket only in its subject, from an address that "
            "authentication does not prove."
        ),
        verbose_name=gettext_lazy("unproven replies"),
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class MailSource(models.TextChoices):
    IMAP = "imap", gettext_lazy("IMAP")
    SMTP = "smtp", gettext_lazy("SMTP/LMTP")
    IMPORT = "import", gettext_lazy("Import")


class MailOutcome(models.TextChoices):
    CREATED = "created", gettext_lazy("New ticket")
    APPENDED = "appended", gettext_lazy("Added to a ticket")
    DUPLICATE = "duplicate", gettext_lazy("Duplicate")
    IGNORED = "ignored", gettext_lazy("Ignored")
    BOUNCE = "bounce", gettext_lazy("Bounce")
    HELD = "held", gettext_lazy("Held for an agent")
    REJECTED = "rejected", gettext_lazy("Rejected")


class InboundMail(BaseModel):
    """A raw message as received, stored before anything else happens to it (its bytes
    in content-addressed storage); processed once, with its outcome."""

    sha256 = models.CharField(max_length=64, unique=True)
    msgid = models.CharField("Message-ID", max_length=500, db_index=True)
    storage_path = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField()
    source = models.CharField(max_length=6, choices=MailSource.choices)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=1000, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=9, choices=MailOutcome.choices, blank=True)
    reason = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["id"], name="inbound_pending_idx", condition=Q(processed_at__isnull=True)
            ),
            models.Index(fields=["sender", "created_at"], name="inbound_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.msgid} ({self.outcome or 'pending'})"


class MailThread(models.Model):
    """Every Message-ID caredesk has received or sent, and the ticket it belongs to."""

    msgid = models.CharField("Message-ID", max_length=500, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outbound = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="mailthread_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.msgid} -> ticket {self.ticket_id}"


class MessagingAdapter(models.TextChoices):
    GENERIC = "generic", gettext_lazy("Generic JSON, signed (docs/channels.md)")
    SMS_FORM = "sms_form", gettext_lazy("SMS gateway form posts (Twilio's shape)")


class MessagingChannel(BaseModel):
    """A messaging service (WhatsApp through a bridge, SMS, a social network) that posts
    its customers' messages to caredesk's inbound URL and takes agents' replies at its
    outbound URL. The generic adapter signs both ways with ``secret``; the SMS adapter
    checks the gateway's own signature with the token in ``token_env``."""

    name = models.CharField(max_length=100, verbose_name=gettext_lazy("name"))
    key = models.CharField(max_length=40, unique=True, editable=False)
    secret = models.CharField(max_length=64, editable=False)
    adapter = models.CharField(
        max_length=10,
        choices=MessagingAdapter.choices,
        default=MessagingAdapter.GENERIC,
        verbose_name=gettext_lazy("adapter"),
    )
    outbound_url = models.URLField(
        max_length=500,
        blank=True,
        help_text=gettext_lazy(
            "Where agents' replies are posted; empty: replies stay in caredesk."
        ),
        verbose_name=gettext_lazy("outbound URL"),
    )
    allow_private = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Allow an outbound URL on a private or loopback address."),
        verbose_name=gettext_lazy("allow private addresses"),
    )
    sender = models.CharField(
        max_length=100,
        blank=True,
        help_text=gettext_lazy("SMS: the number replies are sent from."),
        verbose_name=gettext_lazy("sender"),
    )
    account = models.CharField(
        max_length=100,
        blank=True,
        help_text=gettext_lazy("SMS: the gateway account (user name of its send API)."),
        verbose_name=gettext_lazy("account"),
    )
    token_env = models.CharField(
        max_length=100,
        blank=True,
        help_text=gettext_lazy(
            "SMS: name of the environment variable with the gateway's auth token."
        ),
        verbose_name=gettext_lazy("token variable"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("team"),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ChannelConversation(BaseModel):
    """A provider's conversation and the ticket it is on now (a new one once that is
    closed), with the customer's handle replies go to."""

    channel = models.ForeignKey(
        MessagingChannel, on_delete=models.CASCADE, related_name="conversations"
    )
    conversation_id = models.CharField(max_length=200)
    handle = models.CharField(max_length=254)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "conversation_id"], name="channel_conversation_once"
            )
        ]
        indexes = [models.Index(fields=["ticket"], name="channel_conversation_ticket")]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.conversation_id} -> ticket {self.ticket_id}"


class ChannelInbound(models.Model):
    """A provider's message id, received once: a repeat answers what the first became."""

    channel = models.ForeignKey(MessagingChannel, on_delete=models.CASCADE, related_name="+")
    provider_message_id = models.CharField(max_length=200)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "tickets.Message", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"], name="channel_inbound_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.provider_message_id}"


class DeliveryState(models.TextChoices):
    DELIVERED = "delivered", gettext_lazy("Delivered")
    READ = "read", gettext_lazy("Read")
    FAILED = "failed", gettext_lazy("Not delivered")


class ChannelOutbound(MailOutboxRow):
    """An agent's public reply on a messaging channel's ticket, posted to the channel
    through the leased outbox; then what the provider reports of it."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="channel_outbound"
    )
    conversation = models.ForeignKey(
        ChannelConversation, on_delete=models.CASCADE, related_name="outbound"
    )
    channel = models.ForeignKey(MessagingChannel, on_delete=models.CASCADE, related_name="+")
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    delivery = models.CharField(max_length=9, choices=DeliveryState.choices, blank=True)
    delivery_error = models.CharField(max_length=2000, blank=True)
    delivery_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="channel_outbound_queued_idx",
                condition=Q(status="queued"),
            ),
            models.Index(fields=["channel", "provider_message_id"], name="channel_outbound_pid"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sent", "failed"]),
                name="channel_outbound_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} to {self.channel_id} ({self.status})"
