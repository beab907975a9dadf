"""Business-hours calendars, SLA policies and each ticket's SLA clocks."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel

TARGETS = ("first_response", "next_response", "resolution")


class BusinessCalendar(BaseModel):
    """Opening hours in a time zone, with holidays (see core.business_hours)."""

    name = models.CharField(max_length=100, unique=True, verbose_name=gettext_lazy("name"))
    timezone = models.CharField(max_length=64, default="UTC", verbose_name=gettext_lazy("timezone"))
    hours = models.JSONField(
        default=list,
        help_text=gettext_lazy('[{"days": ["mon"], "start": "09:00", …}]'),
        verbose_name=gettext_lazy("hours"),
    )
    holidays = models.JSONField(
        default=list,
        blank=True,
        help_text='["2026-12-25", …]',
        verbose_name=gettext_lazy("holidays"),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(BaseModel):
    """Targets for the tickets its conditions match; the first matching policy (by
    position) applies. Minutes are business minutes with a calendar, else calendar time."""

    name = models.CharField(max_length=100, unique=True, verbose_name=gettext_lazy("name"))
    position = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("position"))
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))
    conditions = models.JSONField(
        default=dict,
        blank=True,
        help_text=gettext_lazy(
            '{"priority": [...], "type": [...], "channel": [...], "organization_ids": '
            '[...], "segment_ids": [...]}; empty matches every ticket'
        ),
        verbose_name=gettext_lazy("conditions"),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=gettext_lazy("calendar"),
    )
    first_response_minutes = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("first response minutes")
    )
    next_response_minutes = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("next response minutes")
    )
    resolution_minutes = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("resolution minutes")
    )
    pause_when_pending = models.BooleanField(
        default=True,
        help_text=gettext_lazy("Stop the resolution clock while the ticket waits on the customer."),
        verbose_name=gettext_lazy("pause when pending"),
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        default=75, verbose_name=gettext_lazy("warn at percent")
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_at_percent__gte=1, warn_at_percent__lte=99),
                name="slapolicy_warn_percent",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TicketSla(models.Model):
    """A ticket's SLA clocks: per target its due time, warning time, and when it was met
    or breached (each recorded once)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="tickets")
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_warn = models.DateTimeField(null=True, blank=True)
    first_response_warned = models.DateTimeField(null=True, blank=True)
    first_response_met = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    next_response_warn = models.DateTimeField(null=True, blank=True)
    next_response_warned = models.DateTimeField(null=True, blank=True)
    next_response_met = models.DateTimeField(null=True, blank=True)
    next_response_breached = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_warn = models.DateTimeField(null=True, blank=True)
    resolution_warned = models.DateTimeField(null=True, blank=True)
    resolution_met = models.DateTimeField(null=True, blank=True)
    resolution_breached = models.DateTimeField(null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.FloatField(
        default=0, help_text=gettext_lazy("Resolution clock stopped so far.")
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the KPI rollups look here

    class Meta:
        indexes = [
            models.Index(fields=["first_response_due"], name="sla_first_due_idx",
                         condition=Q(first_response_met__isnull=True,
                                     first_response_breached__isnull=True)),
            models.Index(fields=["next_response_due"], name="sla_next_due_idx",
                         condition=Q(next_response_met__isnull=True,
                                     next_response_breached__isnull=True)),
            models.Index(fields=["resolution_due"], name="sla_resolution_due_idx",
                         condition=Q(resolution_met__isnull=True,
                                     resolution_breached__isnull=True,
                                     paused_since__isnull=True)),
            # the warnings still to give, so the periodic check reads only those
            models.Index(fields=["first_response_warn"], name="sla_first_warn_idx",
                         condition=Q(first_response_warned__isnull=True,
                                     first_response_met__isnull=True,
                                     first_response_breached__isnull=True)),
            models.Index(fields=["next_response_warn"], name="sla_next_warn_idx",
                         condition=Q(next_response_warned__isnull=True,
                                     next_response_met__isnull=True,
                                     next_response_breached__isnull=True)),
            models.Index(fields=["resolution_warn"], name="sla_resolution_warn_idx",
                         condition=Q(resolution_warned__isnull=True,
                                     resolution_met__isnull=True,
                                     resolution_breached__isnull=True,
                                     paused_since__isnull=True)),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"SLA of ticket {self.ticket_id}"
