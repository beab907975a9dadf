"""The states of articles and how far they are seen."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Visibility(models.TextChoices):
    PUBLIC = "public", gettext_lazy("Public: anyone")
    CUSTOMERS = "customers", gettext_lazy("Customers who are signed in")
    INTERNAL = "internal", gettext_lazy("Internal: staff only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    REVIEW = "review", gettext_lazy("In review")
    PUBLISHED = "published", gettext_lazy("Published")
    ARCHIVED = "archived", gettext_lazy("Archived")


class Audience(models.TextChoices):
    """Who is looking: what each may see is decided in selectors.visible_articles."""

    ANONYMOUS = "anonymous", gettext_lazy("Anyone (not signed in)")
    CUSTOMER = "customer", gettext_lazy("A signed-in customer")
    AGENT = "agent", gettext_lazy("Staff")


class ViewSource(models.TextChoices):
    HELP = "help", gettext_lazy("Help centre")
    PORTAL = "portal", gettext_lazy("Suggested on the request form")
    BOT = "bot", gettext_lazy("Answer bot")
    AGENT = "agent", gettext_lazy("Agent")
