"""The knowledge base's figures: views, helpful share, searches without a result,
deflection and the self-service score, for a period. Defined once, here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from caredesk.knowledge.enums import ViewSource
from caredesk.knowledge.models import Article, ArticleFeedback, ArticleView, KbSearch
from caredesk.tickets.models import Ticket


@dataclass(frozen=True)
class KnowledgeFigures:
    views: int
    votes: int
    helpful_share: float | None  # of votes, 0..1
    searches: int
    searches_without_result: int
    unanswered: list[tuple[str, int]]  # the queries to write articles for, most asked first
    suggested_sessions: int  # request-form visitors who opened a suggested article
    deflected_sessions: int  # ... and then did not submit
    deflection_rate: float | None
    help_sessions: int
    tickets: int
    self_service_score: float | None  # help-centre sessions per ticket


def knowledge_figures(*, start: dt.datetime, end: dt.datetime) -> KnowledgeFigures:
    """[start, end): every figure over the same period."""
    views = ArticleView.objects.filter(at__gte=start, at__lt=end)
    votes = ArticleFeedback.objects.filter(at__gte=start, at__lt=end).aggregate(
        n=Count("id"), yes=Count("id", filter=Q(helpful=True))
    )
    searches = KbSearch.objects.filter(at__gte=start, at__lt=end)
    empty = searches.filter(results=0)
    unanswered = list(empty.values("query").annotate(n=Count("id")).order_by("-n", "query")[:20])
    portal = views.filter(source=ViewSource.PORTAL).exclude(session_key="")
    suggested = portal.values("session_key").distinct().count()
    submitted = portal.filter(submitted=True).values("session_key").distinct().count()
    help_sessions = (
        views.filter(source=ViewSource.HELP)
        .exclude(session_key="")
        .values("session_key")
        .distinct()
        .count()
    )
    tickets = Ticket.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return KnowledgeFigures(
        views=views.count(),
        votes=votes["n"],
        helpful_share=votes["yes"] / votes["n"] if votes["n"] else None,
        searches=searches.count(),
        searches_without_result=empty.count(),
        unanswered=[(row["query"], row["n"]) for row in unanswered],
        suggested_sessions=suggested,
        deflected_sessions=suggested - submitted,
        deflection_rate=(suggested - submitted) / suggested if suggested else None,
        help_sessions=help_sessions,
        tickets=tickets,
        self_service_score=help_sessions / tickets if tickets else None,
    )


@dataclass(frozen=True)
class ArticleFigures:
    article_id: int
    title: str
    locale: str
    views: int
    votes: int
    helpful_share: float | None  # of votes, 0..1
    suggested_sessions: int  # request-form visitors who opened it as a suggestion
    deflected_sessions: int  # ... and then did not submit

    @property
    def deflection_rate(self) -> float | None:
        if not self.suggested_sessions:
            return None
        return self.deflected_sessions / self.suggested_sessions


def article_figures(
    *, start: dt.datetime, end: dt.datetime, limit: int = 50
) -> list[ArticleFigures]:
    """[start, end): the same figures per article, the most read first (articles with
    a view or a vote in the period)."""
    views = ArticleView.objects.filter(at__gte=start, at__lt=end)
    read = {
        row["article_id"]: row["n"]
        for row in views.values("article_id").annotate(n=Count("id")).order_by()
    }
    voted = {
        row["article_id"]: (row["n"], row["yes"])
        for row in ArticleFeedback.objects.filter(at__gte=start, at__lt=end)
        .values("article_id")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(helpful=True)))
        .order_by()
    }
    portal = views.filter(source=ViewSource.PORTAL).exclude(session_key="")
    sessions = {
        row["article_id"]: (row["n"], row["submitted"])
        for row in portal.values("article_id")
        .annotate(
            n=Count("session_key", distinct=True),
            submitted=Count("session_key", distinct=True, filter=Q(submitted=True)),
        )
        .order_by()
    }
    ids = sorted(read.keys() | voted.keys(), key=lambda pk: (-read.get(pk, 0), pk))[:limit]
    titles = Article.objects.in_bulk(ids)
    out = []
    for pk in ids:
        article = titles.get(pk)
        if article is None:
            continue
        n, yes = voted.get(pk, (0, 0))
        opened, submitted = sessions.get(pk, (0, 0))
        out.append(
            ArticleFigures(
                article_id=pk,
                title=article.title,
                locale=article.locale,
                views=read.get(pk, 0),
                votes=n,
                helpful_share=yes / n if n else None,
                suggested_sessions=opened,
                deflected_sessions=opened - submitted,
            )
        )
    return out
