"""Survey responses (CSAT, NPS, CES), the invitations that ask for them, NPS campaigns,
and the follow-ups that close the loop on low scores."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel


class SurveyKind(models.TextChoices):
    CSAT = "csat", gettext_lazy("Customer satisfaction (1-5)")
    NPS = "nps", gettext_lazy("Net promoter score (0-10)")
    CES = "ces", gettext_lazy("Customer effort score (1-7)")


SCORE_RANGES = {SurveyKind.CSAT: (1, 5), SurveyKind.NPS: (0, 10), SurveyKind.CES: (1, 7)}


class SurveyResponse(BaseModel):
    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_responses"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    score = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    responded_at = models.DateTimeField()
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-responded_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "responded_at"], name="survey_customer_idx"),
            models.Index(fields=["kind", "responded_at"], name="survey_kind_idx"),
            models.Index(fields=["responded_at"], name="survey_responded_idx"),
            models.Index(fields=["updated_at"], name="survey_updated_idx"),  # rollups
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="csat", score__gte=1, score__lte=5)
                    | Q(kind="nps", score__gte=0, score__lte=10)
                    | Q(kind="ces", score__gte=1, score__lte=7)
                ),
                name="survey_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score}"


class SurveySettings(models.Model):
    """How surveys go out; a single row (pk=1)."""

    on_solve = models.CharField(
        max_length=4,
        choices=[
            ("csat", gettext_lazy("CSAT")),
            ("ces", gettext_lazy("CES")),
            ("", gettext_lazy("Nothing")),
        ],
        default="csat",
        blank=True,
        help_text=gettext_lazy("The survey a requester gets when their ticket is solved."),
    )
    throttle_days = models.PositiveIntegerField(
        default=7, help_text=gettext_lazy("At most one survey per customer within this many days.")
    )
    follow_up_hours = models.PositiveIntegerField(
        default=8,
        help_text=gettext_lazy("A low score's follow-up is due within this many business hours."),
    )

    def __str__(self) -> str:
        return "survey settings"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued")
    SENT = "sent", gettext_lazy("Sent")
    FAILED = "failed", gettext_lazy("Failed")
    PORTAL = "portal", gettext_lazy("In the portal only (no email address)")


class SurveyInvitation(BaseModel):
    """A survey sent to a customer: by email (an outbox row of its own, delivered by a
    job with retries) and in the portal. Answered at most once."""

    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    campaign = models.ForeignKey(
        "surveys.NpsCampaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    email = models.CharField(
        max_length=254, blank=True, help_text=gettext_lazy("Where it was sent.")
    )
    status = models.CharField(
        max_length=6, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    response = models.OneToOneField(
        SurveyResponse,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="invitation_customer_idx"),
            models.Index(fields=["kind", "created_at"], name="invitation_kind_idx"),
            models.Index(fields=["created_at"], name="invitation_created_idx"),
            models.Index(fields=["updated_at"], name="invitation_updated_idx"),  # rollups
            models.Index(
                fields=["next_attempt_at"],
                name="invitation_queued_idx",
                condition=Q(status="queued"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=Q(ticket__isnull=False),
                name="invitation_once_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} survey to customer {self.customer_id}"


class NpsCampaign(BaseModel):
    """A relational NPS survey sent to a segment's customers every so many days."""

    name = models.CharField(max_length=200)
    segment = models.ForeignKey(
        "customers.Segment", on_delete=models.PROTECT, related_name="nps_campaigns"
    )
    every_days = models.PositiveIntegerField(default=90)
    next_run_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class FollowUpStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    DONE = "done", gettext_lazy("Done")


class FollowUp(BaseModel):
    """The closed loop: a low score (CSAT 1-2, NPS 0-6) becomes a task for the team of
    the ticket it was about, due within the configured business hours."""

    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, related_name="follow_up"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="survey_follow_ups",
    )  # fmt: skip
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="survey_follow_ups",
    )  # fmt: skip
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=4, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    outcome = models.TextField(blank=True)
    done_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="followup_status_idx")]

    def __str__(self) -> str:
        return f"follow-up of response {self.response_id}"
