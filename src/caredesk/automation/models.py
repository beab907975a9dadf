"""Automation rules with their run log, and outbound webhooks with their delivery log."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel


class Trigger(models.TextChoices):
    TICKET_CREATED = "ticket.created", gettext_lazy("Ticket created")
    TICKET_UPDATED = "ticket.updated", gettext_lazy("Ticket updated")
    CUSTOMER_REPLIED = "message.customer", gettext_lazy("Customer replied")
    AGENT_REPLIED = "message.agent", gettext_lazy("Agent replied")
    SLA_WARNING = "sla.warning", gettext_lazy("SLA warning")
    SLA_BREACH = "sla.breach", gettext_lazy("SLA breach")
    COMMITMENT_DUE = "commitment.due", gettext_lazy("Commitment due")
    SURVEY_ANSWERED = "survey.answered", gettext_lazy("Survey answered")
    TIME = "time", gettext_lazy("Time-based (checked every 5 minutes)")


# What webhooks can subscribe to: every trigger but the time-based one, which is a rule's.
WEBHOOK_EVENTS = [t.value for t in Trigger if t != Trigger.TIME]


class Rule(BaseModel):
    """When ``trigger`` happens and ``conditions`` hold, do ``actions`` (in order)."""

    name = models.CharField(max_length=120, verbose_name=gettext_lazy("name"))
    description = models.TextField(blank=True, verbose_name=gettext_lazy("description"))
    trigger = models.CharField(
        max_length=20, choices=Trigger.choices, verbose_name=gettext_lazy("trigger")
    )
    conditions = models.JSONField(
        default=dict,
        blank=True,
        help_text=gettext_lazy(
            '{"match": "all" or "any", "conditions": [{"field", "op", "value"}]}'
        ),
        verbose_name=gettext_lazy("conditions"),
    )
    actions = models.JSONField(
        default=list,
        help_text=gettext_lazy('[{"type": …, …}] (docs/automation.md)'),
        verbose_name=gettext_lazy("actions"),
    )
    position = models.PositiveIntegerField(
        default=100,
        help_text=gettext_lazy("Rules run in this order."),
        verbose_name=gettext_lazy("position"),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trigger__in=Trigger.values), name="rule_trigger_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """A rule that ran on a ticket for one event; at most one row per rule, ticket and
    event, which is what makes a rule run at most once per event."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    event_key = models.CharField(max_length=120)
    at = models.DateTimeField(default=timezone.now)
    done = models.JSONField(default=list, help_text=gettext_lazy("What each action did."))
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "event_key"], name="rule_run_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["ticket", "at"], name="rule_run_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.rule} on ticket {self.ticket_id} ({self.event_key})"


class WebhookSubscription(BaseModel):
    """A URL told about events, each payload signed with the subscription's secret."""

    name = models.CharField(max_length=120, verbose_name=gettext_lazy("name"))
    url = models.URLField(max_length=500, verbose_name=gettext_lazy("URL"))
    events = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("Event names; empty: none."),
        verbose_name=gettext_lazy("events"),
    )
    secret = models.CharField(
        max_length=64,
        help_text=gettext_lazy("Signs each payload (HMAC-SHA256)."),
        verbose_name=gettext_lazy("secret"),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))
    allow_private = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Allow loopback, link-local and private addresses (an admin's decision)."
        ),
        verbose_name=gettext_lazy("allow private"),
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    DELIVERED = "delivered", gettext_lazy("Delivered")
    FAILED = "failed", gettext_lazy("Failed (gave up)")


class WebhookDelivery(BaseModel):
    """One payload to send: an outbox row written in the transaction of the event, then
    sent by a job (with a lease, so two workers never send it at once) and retried with
    backoff until delivered or out of attempts."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=20)
    ticket_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["subscription", "created_at"], name="webhook_sub_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhook_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription} ({self.status})"
