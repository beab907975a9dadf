"""A notification for one member of staff, shown in the agent workspace until read."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class NotificationKind(models.TextChoices):
    SLA_WARNING = "sla_warning", gettext_lazy("SLA warning")
    SLA_BREACH = "sla_breach", gettext_lazy("SLA breach")
    COMMITMENT_DUE = "commitment", gettext_lazy("Commitment due")
    ASSIGNED = "assigned", gettext_lazy("Assigned to you")
    ESCALATED = "escalated", gettext_lazy("Escalated")
    RULE = "rule", gettext_lazy("Automation rule")
    FOLLOW_UP = "follow_up", gettext_lazy("Survey follow-up")


class Notification(models.Model):
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notif_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}: {self.text[:60]}"
