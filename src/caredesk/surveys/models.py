"""Survey responses (CSAT, NPS, CES). Sending surveys comes with the feedback domain."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from caredesk.core.models import BaseModel


class SurveyKind(models.TextChoices):
    CSAT = "csat", "Customer satisfaction (1-5)"
    NPS = "nps", "Net promoter score (0-10)"
    CES = "ces", "Customer effort score (1-7)"


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
