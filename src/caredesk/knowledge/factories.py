from __future__ import annotations

import factory

from caredesk.knowledge.enums import ArticleStatus, Visibility
from caredesk.knowledge.models import Article
from caredesk.knowledge.services import ArticleFields, article_create, article_set_status


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    body = "Some **words**."
    status = ArticleStatus.PUBLISHED
    visibility = Visibility.PUBLIC


def published(title: str, *, questions: list[str] | None = None, body: str = "",
              visibility: str = Visibility.PUBLIC, locale: str = "en",
              external_id: str | None = None) -> Article:  # fmt: skip
    """An article written and published through the services (indexed, versioned)."""
    article = article_create(
        fields=ArticleFields(title=title, body=body or f"All about {title.lower()}.",
                             questions=questions or [], visibility=visibility, locale=locale,
                             external_id=external_id),
        author=None,
    )  # fmt: skip
    return article_set_status(article=article, status=ArticleStatus.PUBLISHED, actor=None)
