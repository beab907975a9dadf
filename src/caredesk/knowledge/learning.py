"""What the knowledge base learns, by jobs: sentence vectors of every article (when
it changed), and the question model with the bot's threshold (when the articles'
questions changed), from the organisation's own articles and tickets."""

from __future__ import annotations

import hashlib
import re

import numpy as np
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from caredesk.knowledge.embedding import encoder
from caredesk.knowledge.enums import ArticleStatus
from caredesk.knowledge.models import Article, ArticleVector, QuestionModelRow
from caredesk.knowledge.ranking import QuestionModel, model_train
from caredesk.knowledge.rendering import markdown_text
from caredesk.knowledge.search import index_changed
from caredesk.tickets.enums import TicketStatus
from caredesk.tickets.models import Message, Ticket

LEAD_WORDS = 60  # of the body, embedded with the title
BATCH = 200
PAST_TICKETS = 2000  # ticket subjects solved without an article, as "no article answers"


def _texts(article: Article) -> list[str]:
    lead = " ".join(markdown_text(article.body).split()[:LEAD_WORDS])
    head = f"{article.title}. {lead}".strip()
    return [head, *[q for q in article.questions if q.strip()]]


def vectors_stale() -> Q:
    return Q(vectors_at__isnull=True) | Q(vectors_at__lt=F("updated_at"))


def article_vectors_compute(*, limit: int | None = None) -> int:
    """Compute the vectors of articles that changed since theirs were; returns how
    many articles. Safe to run twice: an article is done when vectors_at is set."""
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        articles = list(Article.objects.filter(vectors_stale()).order_by("id")[:size])
        if not articles:
            break
        texts: list[str] = []
        owners: list[Article] = []
        for article in articles:
            for text in _texts(article):
                texts.append(text)
                owners.append(article)
        vectors = encoder().encode(texts, batch=64)
        stamp = timezone.now()
        with transaction.atomic():
            ArticleVector.objects.filter(article__in=articles).delete()
            ArticleVector.objects.bulk_create(
                ArticleVector(article=owner, text=text[:2000], vector=vector.tobytes())
                for owner, text, vector in zip(owners, texts, vectors, strict=True)
            )
            for article in articles:  # updated_at stays: the words did not change
                Article.objects.filter(pk=article.pk, updated_at=article.updated_at).update(
                    vectors_at=stamp
                )
        done += len(articles)
        index_changed()
    return done


def _fingerprint() -> str:
    digest = hashlib.sha256()
    rows = Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("id")
    for pk, version, vectors_at in rows.values_list("id", "version", "vectors_at"):
        digest.update(f"{pk}:{version}:{vectors_at}\n".encode())
    return digest.hexdigest()


_ARTICLE_LINK = re.compile(r"/help/[a-z-]+/articles/(\d+)")


def _past_tickets_without_article() -> list[str]:
    """Subjects of solved tickets whose answers link no article: questions the
    knowledge base did not answer."""
    linked = Message.objects.filter(text__contains="/help/").values("ticket_id")
    return list(
        Ticket.objects.filter(status__in=[TicketStatus.SOLVED, TicketStatus.CLOSED])
        .exclude(pk__in=linked)
        .order_by("-id")
        .values_list("subject", flat=True)[:PAST_TICKETS]
    )


def question_model_train(*, force: bool = False) -> QuestionModelRow | None:
    """Train the question model on the published articles' question vectors, unless
    nothing changed since the last one; None when there is too little to learn."""
    fingerprint = _fingerprint()
    last = QuestionModelRow.objects.order_by("-id").first()
    if last is not None and last.fingerprint == fingerprint and not force:
        return last
    rows = ArticleVector.objects.filter(article__status=ArticleStatus.PUBLISHED).values_list(
        "article_id", "vector"
    )
    labels = [pk for pk, _v in rows]
    if not labels:
        return None
    matrix = np.frombuffer(b"".join(bytes(v) for _pk, v in rows), dtype=np.float32).reshape(
        len(labels), -1
    )
    subjects = [s for s in _past_tickets_without_article() if s.strip()]
    negatives = encoder().encode(subjects, batch=64) if subjects else None
    model: QuestionModel | None = model_train(matrix, labels, negatives=negatives)
    if model is None:
        return None
    row = QuestionModelRow.objects.create(
        trained_at=timezone.now(),
        fingerprint=fingerprint,
        articles=len(model.article_ids),
        questions=len(labels),
        cv_accuracy=model.cv_accuracy,
        threshold=model.threshold,
        data=model.dumps(),
    )
    QuestionModelRow.objects.filter(id__lt=row.pk).delete()
    index_changed()
    return row
