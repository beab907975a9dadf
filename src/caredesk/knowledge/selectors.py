"""Reading the knowledge base: which articles a reader may see, and the lists of the
agent screens. Nothing internal or unpublished reaches a customer or a visitor: every
surface (help centre, search, suggestions, bot, sitemap, API) starts from
visible_articles."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from caredesk.accounts.models import User
from caredesk.core.errors import NotFound
from caredesk.knowledge.enums import ArticleStatus, Audience, Visibility
from caredesk.knowledge.models import Article


def audience_of(user: User | object | None) -> Audience:
    """Who the reader is: staff, a signed-in customer, or anyone."""
    if isinstance(user, User) and user.is_active:
        if user.is_staff_member:
            return Audience.AGENT
        if user.customer is not None:
            return Audience.CUSTOMER
    return Audience.ANONYMOUS


def visibilities_for(audience: str) -> list[str]:
    if audience == Audience.AGENT:
        return list(Visibility.values)
    if audience == Audience.CUSTOMER:
        return [Visibility.PUBLIC, Visibility.CUSTOMERS]
    return [Visibility.PUBLIC]


def visible_articles(*, audience: str, locale: str | None = None) -> QuerySet[Article]:
    """Published articles the audience may read, in a locale when one is given."""
    articles = Article.objects.filter(
        status=ArticleStatus.PUBLISHED, visibility__in=visibilities_for(audience)
    )
    if locale:
        articles = articles.filter(locale=locale)
    return articles


def article_get_visible(*, audience: str, article_id: int) -> Article:
    """One article a reader may see; missing and hidden look alike."""
    article = (
        visible_articles(audience=audience)
        .select_related("section__category", "translation_of")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound("article", article_id)
    return article


def article_get_for_staff(*, user: User, article_id: int) -> Article:
    if not user.is_staff_member:
        raise NotFound("article", article_id)
    article = (
        Article.objects.select_related("section__category", "author", "reviewer", "translation_of")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound("article", article_id)
    return article


def articles_for_staff(*, user: User, q: str = "", status: str = "") -> QuerySet[Article]:
    """Every article, for the agent screens, newest change first."""
    if not user.is_staff_member:
        return Article.objects.none()
    articles = Article.objects.select_related("section__category", "author")
    if status:
        articles = articles.filter(status=status)
    if q:
        articles = articles.filter(Q(title__icontains=q) | Q(external_id=q))
    return articles.order_by("-updated_at", "-id")


def translations_of(article: Article, *, audience: str) -> list[Article]:
    """The same article in other languages, as far as the reader may see them."""
    root = article.translation_of or article
    family = (
        visible_articles(audience=audience)
        .filter(Q(pk=root.pk) | Q(translation_of=root))
        .exclude(pk=article.pk)
    )
    return list(family.order_by("locale"))
