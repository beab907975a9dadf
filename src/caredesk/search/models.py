"""The full-text index: one row per searchable document.

SQLite indexes ``title`` and ``body`` in an FTS5 table kept in step by triggers
(migration 0002); PostgreSQL uses a GIN index over their tsvector (migration 0003).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class DocKind(models.TextChoices):
    TICKET = "ticket", gettext_lazy("Ticket (subject and public messages)")
    NOTE = "note", gettext_lazy("Ticket internal notes")
    CUSTOMER = "customer", gettext_lazy("Customer")
    ARTICLE = "article", gettext_lazy("Knowledge-base article")


class SearchEntry(models.Model):
    kind = models.CharField(max_length=10, choices=DocKind.choices)
    object_id = models.BigIntegerField(
        help_text=gettext_lazy("Ticket id for ticket/note, customer id, article id.")
    )
    customer_id = models.BigIntegerField(
        null=True, help_text=gettext_lazy("Requester or the customer.")
    )
    organization_id = models.BigIntegerField(null=True)
    title = models.CharField(max_length=250, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_unique_doc"),
        ]
        indexes = [
            models.Index(fields=["customer_id"], name="searchentry_customer_idx"),
            models.Index(fields=["organization_id"], name="searchentry_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
