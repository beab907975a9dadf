"""Routing: skills, agents' capacity and availability, each team's strategy, and the
skills a ticket needs."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Availability(models.TextChoices):
    ONLINE = "online", gettext_lazy("Online")
    AWAY = "away", gettext_lazy("Away")
    OFFLINE = "offline", gettext_lazy("Offline")


class SkillKind(models.TextChoices):
    LANGUAGE = "language", gettext_lazy("Language")
    PRODUCT = "product", gettext_lazy("Product")
    LEVEL = "level", gettext_lazy("Level")
    OTHER = "other", gettext_lazy("Other")


class Strategy(models.TextChoices):
    MANUAL = "manual", gettext_lazy("Manual (agents pick from the team queue)")
    ROUND_ROBIN = "round_robin", gettext_lazy("Round robin")
    LEAST_LOADED = "least_loaded", gettext_lazy("Least loaded")
    SKILLS = "skills", gettext_lazy("Skills-based (then least loaded)")


class Skill(models.Model):
    kind = models.CharField(
        max_length=10,
        choices=SkillKind.choices,
        default=SkillKind.OTHER,
        verbose_name=gettext_lazy("kind"),
    )
    name = models.CharField(max_length=80, verbose_name=gettext_lazy("name"))

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="skill_unique"),
            models.CheckConstraint(condition=Q(kind__in=SkillKind.values), name="skill_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


class AgentProfile(models.Model):
    """Routing facts about one member of staff (created on first use, offline)."""

    user = models.OneToOneField(
        "accounts.User", primary_key=True, on_delete=models.CASCADE, related_name="routing"
    )
    availability = models.CharField(
        max_length=8, choices=Availability.choices, default=Availability.OFFLINE
    )
    availability_changed_at = models.DateTimeField(default=timezone.now)
    capacity = models.PositiveSmallIntegerField(
        default=10, help_text=gettext_lazy("The most open tickets routing gives this agent.")
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="agents")
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(availability__in=Availability.values), name="agent_availability_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.availability}, capacity {self.capacity})"


class TeamRouting(models.Model):
    """How a team's queue (its unassigned open tickets) reaches its members."""

    team = models.OneToOneField(
        "accounts.Team", primary_key=True, on_delete=models.CASCADE, related_name="routing"
    )
    strategy = models.CharField(max_length=12, choices=Strategy.choices, default=Strategy.MANUAL)
    rebalance_on_offline = models.BooleanField(
        default=True,
        help_text=gettext_lazy(
            "When a member goes offline, their new and open tickets go back to the queue "
            "and are routed again."
        ),
    )
    last_assigned = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(strategy__in=Strategy.values), name="team_strategy_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.get_strategy_display()}"


class TicketSkill(models.Model):
    """A skill a ticket needs (set by automation rules or an agent)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="required_skills"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "skill"], name="ticket_skill_unique")
        ]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} needs {self.skill}"
