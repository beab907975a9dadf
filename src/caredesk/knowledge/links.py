"""Where articles live in the help centre, and the bot's answer as JSON."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from caredesk.knowledge.models import Article


def article_url(article: Article) -> str:
    """/help/<locale>/articles/<id>-<slug>/: the id finds it, the slug is for people
    and search engines (a stale slug redirects)."""
    return reverse(
        "help:article",
        kwargs={"locale": article.locale, "article_id": article.pk, "slug": article.slug},
    )


def answer_json(answer: Any) -> dict[str, Any]:
    """{"answer": {...} | null, "handoff", "confidence"} as the API and CLI give it."""
    article = answer.article
    return {
        "answer": (
            {
                "external_id": article.external_id,
                "title": article.title,
                "url": article_url(article),
                "excerpt": answer.excerpt,
            }
            if article is not None
            else None
        ),
        "handoff": answer.handoff,
        "confidence": round(float(answer.confidence), 4),
    }
