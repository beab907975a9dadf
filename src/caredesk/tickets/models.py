"""Tickets, their messages and attachments, the event log and commitments."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel
from caredesk.tickets.enums import (
    AuthorRole,
    Automatic,
    Channel,
    CommitmentStatus,
    EventKind,
    Priority,
    TicketStatus,
    TicketType,
)


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ticket(BaseModel):
    subject = models.CharField(max_length=250)
    requester = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets"
    )
    ccs = models.ManyToManyField("customers.Customer", related_name="cc_tickets", blank=True)
    organization = models.ForeignKey(
        "customers.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    type = models.CharField(max_length=10, choices=TicketType.choices, default=TicketType.QUESTION)
    status = models.CharField(max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    tags = models.ManyToManyField(Tag, related_name="tickets", blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(
        default=1,
        help_text=gettext_lazy(
            "Bumped on every change; a write carrying an older version is refused."
        ),
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When the status last changed (time-based rules)."),
    )
    # Reporting facts (tickets.services.facts; durations in whole microseconds).
    first_solved_at = models.DateTimeField(null=True, blank=True)
    resolution_us = models.BigIntegerField(null=True, blank=True)
    first_response_us = models.BigIntegerField(null=True, blank=True)
    first_response_business_us = models.BigIntegerField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    # The ticket's first message, kept on the instance ticket_create returns (not a column).
    first_message: Message | None = None

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
            models.Index(fields=["created_at", "id"], name="ticket_created_idx"),
            models.Index(fields=["status", "updated_at", "id"], name="ticket_status_idx"),
            models.Index(
                fields=["assignee", "status", "updated_at", "id"], name="ticket_assignee_idx"
            ),
            models.Index(fields=["team", "status", "updated_at", "id"], name="ticket_team_idx"),
            models.Index(fields=["requester", "updated_at", "id"], name="ticket_requester_idx"),
            models.Index(fields=["organization", "updated_at", "id"], name="ticket_org_idx"),
            models.Index(
                fields=["solved_at"],
                name="ticket_solved_idx",
                condition=Q(status="solved"),
            ),
            # The KPI reports: tickets first solved in a period, the exact medians, the
            # backlog at a moment (tickets open since before it; those changed since).
            models.Index(fields=["first_solved_at"], name="ticket_first_solved_idx"),
            models.Index(
                fields=["resolution_us", "first_solved_at"],
                name="ticket_resolution_idx",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["first_response_us", "created_at"],
                name="ticket_frt_idx",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["first_response_business_us", "created_at"],
                name="ticket_frt_business_idx",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["status", "created_at", "status_changed_at"],
                name="ticket_open_since_idx",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(fields=["status_changed_at"], name="ticket_status_changed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="ticket_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(type__in=TicketType.values), name="ticket_type_valid"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="ticket_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class Message(BaseModel):
    """A public message (customer or agent) or an internal note (is_public=False)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author_role = models.CharField(max_length=10, choices=AuthorRole.choices)
    author_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    is_public = models.BooleanField(default=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    text = models.TextField(blank=True)
    html = models.TextField(
        blank=True, help_text=gettext_lazy("Always sanitised before it is stored.")
    )
    external_id = models.CharField(max_length=255, null=True, blank=True)
    # Mail that no person sent (Auto-Submitted, a null return path, bulk or list mail):
    # automatic answers are never sent to it (rules see it as message.automatic).
    automatic = models.CharField(
        max_length=14,
        choices=Automatic.choices,
        blank=True,
        default="",
        db_default="",
        verbose_name=gettext_lazy("automatic"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_idx"),
            models.Index(fields=["author_customer", "created_at"], name="message_customer_idx"),
        ]

    def __str__(self) -> str:
        kind = "message" if self.is_public else "note"
        return f"{kind} {self.pk} on ticket {self.ticket_id}"


class Attachment(BaseModel):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_path = models.CharField(max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """One change to a ticket: who, when, what, the old and the new value."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    field = models.CharField(max_length=64, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    via = models.CharField(
        max_length=150,
        blank=True,
        db_default="",
        help_text=gettext_lazy("The automation rule that did it."),
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at", "id"], name="event_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.field} on ticket {self.ticket_id}"


class Commitment(BaseModel):
    """A promise to the customer ("I will call you back by Thursday 10:00")."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="commitments")
    made_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    description = models.CharField(max_length=500)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.PENDING
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When the agent was reminded before the due time."),
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="commitment_due_idx"),
            models.Index(
                fields=["due_at"],
                name="commitment_remind_idx",
                condition=Q(status="pending", reminded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} (due {self.due_at:%Y-%m-%d %H:%M})"


class CannedReply(BaseModel):
    """A saved answer with placeholders such as {{customer.first_name}}."""

    title = models.CharField(max_length=120, verbose_name=gettext_lazy("title"))
    body = models.TextField(verbose_name=gettext_lazy("body"))
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        help_text=gettext_lazy("Shown to this team only; empty for everyone."),
        verbose_name=gettext_lazy("team"),
    )

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "canned replies"

    def __str__(self) -> str:
        return self.title
