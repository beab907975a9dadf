"""Queues of calls and chats, their events and records, and the plans made for them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel


class QueueChannel(models.TextChoices):
    PHONE = "phone", gettext_lazy("Phone")
    CHAT = "chat", gettext_lazy("Chat")


class CallEventKind(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued")
    ANSWERED = "answered", gettext_lazy("Answered")
    ABANDONED = "abandoned", gettext_lazy("Abandoned")
    ENDED = "ended", gettext_lazy("Ended")


class CallQueue(BaseModel):
    """A queue of a telephony or chat system, with the service target it is run to."""

    name = models.CharField(max_length=100, unique=True)
    channel = models.CharField(
        max_length=8, choices=QueueChannel.choices, default=QueueChannel.PHONE
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="queues"
    )
    target_level = models.DecimalField(max_digits=4, decimal_places=3, default=0.8)
    target_seconds = models.PositiveIntegerField(default=20)
    patience_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Mean patience; when set, plans use Erlang A."),
    )
    concurrency = models.PositiveSmallIntegerField(
        default=1,
        help_text=gettext_lazy(
            "Contacts one agent handles at once (chat); plans need the servers Erlang "
            "gives divided by it."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CallRecord(BaseModel):
    """One call or chat, put together from its events (idempotent by call id)."""

    call_id = models.CharField(max_length=200, unique=True)
    queue = models.ForeignKey(CallQueue, on_delete=models.PROTECT, related_name="calls")
    phone = models.CharField(max_length=40, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    agent = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["queue", "queued_at"], name="call_queue_time_idx"),
            models.Index(fields=["customer", "queued_at"], name="call_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"call {self.call_id}"

    @property
    def wait_seconds(self) -> float | None:
        end = self.answered_at or self.abandoned_at
        if self.queued_at is None or end is None:
            return None
        return max(0.0, (end - self.queued_at).total_seconds())

    @property
    def talk_seconds(self) -> float | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0.0, (self.ended_at - self.answered_at).total_seconds())


class CallEvent(models.Model):
    """A call-centre event as received; (call id, kind) is stored once."""

    call_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=CallEventKind.choices)
    at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call_id", "kind"], name="callevent_once"),
            models.CheckConstraint(
                condition=Q(kind__in=CallEventKind.values), name="callevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id}"


class AgentContract(BaseModel):
    """What the planner may schedule an agent for."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="contract")
    weekly_minutes = models.PositiveIntegerField(default=40 * 60)
    cost_per_hour = models.DecimalField(max_digits=8, decimal_places=2, default=30)
    skills = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Queue names they can take.")
    )
    days = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("Weekdays available, 0 = Monday; empty = all."),
    )

    def __str__(self) -> str:
        return f"contract of {self.user}"


class ShiftTemplate(BaseModel):
    """A kind of shift: when it may start, how long it is, and its break."""

    name = models.CharField(max_length=100, unique=True)
    start_times = models.JSONField(default=list, help_text='e.g. ["08:00", "09:00"]')
    length_minutes = models.PositiveIntegerField(default=8 * 60)
    break_minutes = models.PositiveIntegerField(default=30)
    break_after_minutes = models.PositiveIntegerField(default=4 * 60)
    days = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("0 = Monday; empty = all.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Plan(BaseModel):
    """A forecast, the requirement it gives and the schedule that covers it, for one
    queue and a range of days. Kept as made so that plan and actual can be compared."""

    queue = models.ForeignKey(CallQueue, on_delete=models.CASCADE, related_name="plans")
    start_date = models.DateField()
    days = models.PositiveIntegerField(default=7)
    interval_minutes = models.PositiveIntegerField(default=30)
    made_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    forecast = models.JSONField(default=dict)
    requirement = models.JSONField(default=list)
    schedule = models.JSONField(default=list)
    coverage = models.JSONField(default=list)
    cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["queue", "start_date"], name="plan_queue_idx")]

    def __str__(self) -> str:
        return f"plan for {self.queue} from {self.start_date}"
