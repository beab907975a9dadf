"""Scheduled KPI reports, sent by email as a file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", gettext_lazy("Weekly (Monday, for the week before)")
    MONTHLY = "monthly", gettext_lazy("Monthly (the 1st, for the month before)")


class ReportFormat(models.TextChoices):
    PDF = "pdf", gettext_lazy("PDF")
    XLSX = "xlsx", gettext_lazy("Excel (XLSX)")
    CSV = "csv", gettext_lazy("CSV")


class ScheduledReport(BaseModel):
    """The KPI report of the week or month before, mailed to its recipients."""

    name = models.CharField(max_length=200, verbose_name=gettext_lazy("name"))
    recipients = models.TextField(
        help_text=gettext_lazy("Email addresses, one per line or comma-separated."),
        verbose_name=gettext_lazy("recipients"),
    )
    frequency = models.CharField(
        max_length=7,
        choices=ReportFrequency.choices,
        default=ReportFrequency.WEEKLY,
        verbose_name=gettext_lazy("frequency"),
    )
    format = models.CharField(
        max_length=4,
        choices=ReportFormat.choices,
        default=ReportFormat.PDF,
        verbose_name=gettext_lazy("format"),
    )
    tz = models.CharField(gettext_lazy("Time zone"), max_length=64, default="UTC")
    language = models.CharField(
        max_length=10,
        blank=True,
        default="",
        choices=[("", gettext_lazy("The site's language")), *settings.LANGUAGES],
        help_text=gettext_lazy("The language of the email and the file."),
        verbose_name=gettext_lazy("language"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=gettext_lazy("Only this team's figures; empty: everyone's."),
        verbose_name=gettext_lazy("team"),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))
    next_run_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("next run at")
    )
    last_sent_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("last sent at")
    )
    last_error = models.TextField(blank=True, verbose_name=gettext_lazy("last error"))

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DailyRollup(models.Model):
    """The KPI tally (analytics.kpis.Tally) of one day in the rollup time zone, for
    everyone (key "") or a scope ("team:3", "channel:email", "team:3/channel:email").
    A day is built when its key "" row exists; a scope with no row had nothing that day.
    A ``month`` row (day: the 1st) is the sum of a whole month's day rows."""

    day = models.DateField()
    month = models.BooleanField(default=False)
    key = models.CharField(max_length=80, blank=True)
    data = models.JSONField()
    requesters = models.BinaryField(
        help_text=gettext_lazy("The day's requesters, a roaring bitmap.")
    )
    built_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "month", "day"], name="rollup_key_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.key or 'everyone'}"


class RollupState(models.Model):
    """One row: every stored rollup is right as of ``checked_at`` (the start of the last
    complete refresh); what changed since is read from the records."""

    checked_at = models.DateTimeField(null=True, blank=True)
    tz = models.CharField(max_length=64, default="UTC")

    def __str__(self) -> str:
        return f"rollups checked at {self.checked_at} ({self.tz})"


class BacklogAt(models.Model):
    """The backlog at a past moment as computed at ``computed_at``, kept because it
    cannot change by work done later (a status change now does not change a status
    then); analytics.rollups.backlog_at says when it may have."""

    moment = models.DateTimeField()
    key = models.CharField(max_length=80, blank=True)
    count = models.PositiveIntegerField()
    median_hours = models.FloatField(null=True)
    mean_hours = models.FloatField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "moment"], name="backlog_key_moment_unique"),
        ]

    def __str__(self) -> str:
        return f"backlog {self.key or 'everyone'} at {self.moment}: {self.count}"
