"""The knowledge base: categories and their sections, articles with their versions,
translations and vectors, and what readers do with them (views, votes, searches)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from caredesk.core.models import BaseModel
from caredesk.knowledge.enums import ArticleStatus, ViewSource, Visibility


class Category(BaseModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Section(BaseModel):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, allow_unicode=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "slug"], name="section_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.category.name} / {self.name}"


class Article(BaseModel):
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=120, allow_unicode=True)
    body = models.TextField(blank=True, help_text=gettext_lazy("Markdown."))
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    keywords = models.JSONField(default=list, blank=True)
    questions = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Questions this answers, as asked.")
    )
    locale = models.CharField(max_length=12, default="en")
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="translations"
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Published by the scheduler at this time.")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles_written",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles_reviewed",
    )
    outdated = models.BooleanField(
        default=False, help_text=gettext_lazy("Its original changed after this translation.")
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    version = models.PositiveIntegerField(default=1)
    vectors_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When its vectors were last computed.")
    )
    views = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["status", "visibility", "locale"], name="article_visible_idx"),
            models.Index(fields=["publish_at"], name="article_publish_at_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """The article as it was saved, each time: kept for the diff and the restore."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    keywords = models.JSONField(default=list)
    questions = models.JSONField(default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articleversion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleImage(BaseModel):
    """An image an article shows: stored by caredesk, never loaded from elsewhere."""

    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    filename = models.CharField(max_length=250)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    storage_path = models.CharField(max_length=500)

    def __str__(self) -> str:
        return self.filename


class ArticleVector(models.Model):
    """One sentence embedding of an article: of its title (with the lead of its body),
    or of one of its questions. float32, see knowledge/embedding.py."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="vectors")
    text = models.TextField()
    vector = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.article_id}: {self.text[:40]}"


class ArticleFeedback(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    session_key = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["article", "at"], name="articlefeedback_idx")]

    def __str__(self) -> str:
        return f"{self.article_id}: {'yes' if self.helpful else 'no'}"


class ArticleView(models.Model):
    """An article opened. From the request form (``portal``): a deflection unless the
    same visitor then submits the request (``submitted``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="view_log")
    source = models.CharField(max_length=10, choices=ViewSource.choices)
    session_key = models.CharField(max_length=64, blank=True)
    submitted = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["at"], name="articleview_at_idx"),
            models.Index(fields=["session_key"], name="articleview_session_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} ({self.source})"


class KbSearch(models.Model):
    """A search in the help centre, the request form, the API or the bot: searches
    without a result are the articles to write next."""

    query = models.CharField(max_length=300)
    locale = models.CharField(max_length=12, blank=True)
    source = models.CharField(max_length=10, choices=ViewSource.choices)
    results = models.PositiveIntegerField()
    session_key = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["at"], name="kbsearch_at_idx")]

    def __str__(self) -> str:
        return self.query


class QuestionModelRow(models.Model):
    """The organisation's trained question model (knowledge/ranking.py); the newest
    row is the one in use."""

    trained_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=64, help_text=gettext_lazy("Of what it learned."))
    articles = models.PositiveIntegerField()
    questions = models.PositiveIntegerField()
    cv_accuracy = models.FloatField()
    threshold = models.FloatField()
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"model of {self.trained_at:%Y-%m-%d %H:%M} ({self.articles} articles)"
