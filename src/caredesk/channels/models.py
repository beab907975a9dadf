"""Messages waiting to leave caredesk through their ticket's channel."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from caredesk.core.models import BaseModel


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboundMessage(BaseModel):
    """One public agent message to deliver (the outbox). The mail channel's sender picks
    queued rows, delivers them and records the outcome; a row is never deleted."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="outbound"
    )
    channel = models.CharField(max_length=10)
    status = models.CharField(
        max_length=8, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

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
