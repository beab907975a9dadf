"""Searching the knowledge base and answering from it: the help centre, the request
form's suggestions, the agent's suggestions, the API, the CLI and the bot all come
here, and here only the articles the reader may see are ever returned.

The vectors and the question model are held in memory per process, and read again
when an article or the model changed: a process asks the database at most every
RECHECK_SECONDS (and at once after a change it made itself). The articles a search
returns are read through visible_articles, so an index a moment old never shows what
was just unpublished or made internal; it can only miss what was just published."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.db.models import Count, Max
from django.utils import timezone

from caredesk.knowledge.embedding import encoder
from caredesk.knowledge.enums import ArticleStatus, Audience, ViewSource
from caredesk.knowledge.errors import KnowledgeError, KnowledgeErrorCode
from caredesk.knowledge.models import Article, ArticleVector, KbSearch, QuestionModelRow
from caredesk.knowledge.ranking import QuestionModel, VectorIndex, combine
from caredesk.knowledge.rendering import excerpt
from caredesk.knowledge.selectors import visibilities_for, visible_articles
from caredesk.search.models import DocKind
from caredesk.search.query import meaningful, terms
from caredesk.search.selectors import documents_of_kind, documents_with

MAX_QUERY = 300
MAX_RESULTS = 20
MIN_SIMILARITY = 0.3  # a result this far in meaning, sharing no word, is noise
RECHECK_SECONDS = 1.0  # how often a process asks whether the index changed
COMMON_SHARE = 0.5  # a word in more of the articles than this tells none of them apart
COMMON_MIN_ARTICLES = 20  # ... once there are this many
MAX_WORD_HITS = 50  # articles found by their words, for the ranking
MAX_POSTINGS = 2_000_000  # article ids held per process for the words asked for


@dataclass(frozen=True)
class _Meta:
    visibility: str
    locale: str


@dataclass
class _Loaded:
    key: tuple[object, ...]
    index: VectorIndex
    model: QuestionModel | None
    meta: dict[int, _Meta]
    checked: float  # time.monotonic() when the key was last compared
    # each word asked for: the articles that hold it, None when most do (see _word_ranks)
    postings: dict[str, frozenset[int] | None] = field(default_factory=dict)
    documents: int | None = None
    # who may read what, per (audience, locale): the ids, and the index's mask of them
    allowed: dict[tuple[str, str], tuple[frozenset[int], npt.NDArray[np.bool_]]] = field(
        default_factory=dict
    )


_loaded: _Loaded | None = None
_lock = threading.Lock()


def _generation() -> tuple[object, ...]:
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED).aggregate(
        n=Count("id"), changed=Max("updated_at"), vectors=Max("vectors_at")
    )
    model = QuestionModelRow.objects.aggregate(latest=Max("id"))["latest"]
    return (published["n"], published["changed"], published["vectors"], model)


def _load() -> _Loaded:
    """The index of published articles, from memory when nothing changed."""
    global _loaded
    loaded = _loaded
    if loaded is not None and time.monotonic() - loaded.checked < RECHECK_SECONDS:
        return loaded
    key = _generation()
    with _lock:
        if _loaded is not None and _loaded.key == key:
            _loaded.checked = time.monotonic()
            return _loaded
        meta = {
            pk: _Meta(visibility, locale)
            for pk, visibility, locale in Article.objects.filter(
                status=ArticleStatus.PUBLISHED
            ).values_list("id", "visibility", "locale")
        }
        rows = list(
            ArticleVector.objects.filter(article_id__in=list(meta))
            .order_by("article_id", "id")
            .values_list("article_id", "vector")
        )
        ids = np.array([pk for pk, _v in rows], dtype=np.int64)
        matrix = (
            np.frombuffer(b"".join(bytes(v) for _pk, v in rows), dtype=np.float32)
            .reshape(len(rows), -1)
            .copy()
            if rows
            else np.zeros((0, 384), dtype=np.float32)
        )
        model_row = QuestionModelRow.objects.order_by("-id").first()
        model = QuestionModel.loads(bytes(model_row.data)) if model_row else None
        _loaded = _Loaded(key, VectorIndex(ids, matrix), model, meta, time.monotonic())
        return _loaded


def index_changed() -> None:
    """This process changed articles, vectors or the model: its next search asks the
    database at once rather than after RECHECK_SECONDS (a search in another thread
    before the change commits may keep the old index, for RECHECK_SECONDS at most)."""
    loaded = _loaded
    if loaded is not None:
        loaded.checked = float("-inf")


def index_forget() -> None:
    """Drop the process's copy (tests, after a bulk change)."""
    global _loaded
    with _lock:
        _loaded = None


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float


def _allowed(
    loaded: _Loaded, audience: str, locale: str | None
) -> tuple[frozenset[int], npt.NDArray[np.bool_]]:
    """The published articles this audience may read (in this locale), worked out once
    per index and audience."""
    key = (audience, locale or "")
    if key not in loaded.allowed:
        may = set(visibilities_for(audience))
        ids = frozenset(
            pk
            for pk, m in loaded.meta.items()
            if m.visibility in may and (not locale or m.locale == locale)
        )
        loaded.allowed[key] = (ids, loaded.index.mask(set(ids)))
    return loaded.allowed[key]


def _postings(loaded: _Loaded, word: str) -> frozenset[int] | None:
    """The articles that hold ``word`` (by its stem), read once per index; None for a
    word in most of them (once there are COMMON_MIN_ARTICLES): this knowledge base's
    own stop words, in any language, which tell no article apart."""
    if loaded.documents is None:
        loaded.documents = documents_of_kind(kind=DocKind.ARTICLE)
    if word not in loaded.postings:
        if sum(len(p or ()) for p in loaded.postings.values()) > MAX_POSTINGS:
            loaded.postings.clear()  # a long-lived process: forget, read again
        common = max(COMMON_MIN_ARTICLES, int(COMMON_SHARE * loaded.documents))
        found = documents_with(kind=DocKind.ARTICLE, word=word, limit=common + 1)
        loaded.postings[word] = frozenset(found) if len(found) <= common else None
    return loaded.postings[word]


def _word_ranks(loaded: _Loaded, query: str, allowed: AbstractSet[int]) -> list[int]:
    """The allowed articles that share a telling word with the query, best first: by
    the summed inverse document frequency of the words they share (BM25's weight), so
    that an article with the rare word (a product name) comes before one with a
    common word. Matching is the full-text index's (stems, stop words); the ranking is
    done here, among the few articles that match, because ranking every match in the
    database costs more than the rest of a search."""
    n = max(loaded.documents or 0, 1)
    scores: dict[int, float] = {}
    for word in meaningful(terms(query)):
        holders = _postings(loaded, word)
        if not holders:
            continue
        weight = math.log(1 + (n - len(holders) + 0.5) / (len(holders) + 0.5))
        for pk in holders:
            if pk in allowed:
                scores[pk] = scores.get(pk, 0.0) + weight
    return sorted(scores, key=lambda pk: (-scores[pk], pk))[:MAX_WORD_HITS]


@dataclass
class Ranked:
    scores: list[tuple[int, float]]  # best first, allowed articles only
    loaded: _Loaded
    vector: np.ndarray | None
    relevant: set[int]  # near enough in meaning, or sharing a word with the question
    similarity: dict[int, float]  # the nearest articles' cosines
    probabilities: dict[int, float]  # the question model's, when there is one


def _ranked(query: str, audience: str, locale: str | None) -> Ranked:
    """(article id, score) best first, the index, and the question's vector."""
    query = " ".join((query or "").split())[:MAX_QUERY]
    if not query:
        raise KnowledgeError(
            KnowledgeErrorCode.EMPTY_QUERY, "Type a question to search for.", field="q"
        )
    loaded = _load()
    allowed, mask = _allowed(loaded, audience, locale)
    if not allowed:
        return Ranked([], loaded, None, set(), {}, {})
    vector = encoder().encode([query])[0]
    similarity = loaded.index.similarity(vector, only=mask)
    probabilities = loaded.model.probabilities(vector) if loaded.model is not None else None
    words = _word_ranks(loaded, query, allowed)
    relevant = {pk for pk, sim in similarity.items() if sim >= MIN_SIMILARITY} | set(words)
    return Ranked(
        combine(similarity, probabilities, words, allowed),
        loaded,
        vector,
        relevant,
        similarity,
        probabilities or {},
    )


def _log(query: str, locale: str | None, source: str, results: int, session_key: str) -> None:
    KbSearch.objects.create(
        query=query[:300],
        locale=locale or "",
        source=source,
        results=results,
        session_key=session_key[:64],
        at=timezone.now(),
    )


def kb_search(
    *,
    q: str,
    audience: str = Audience.ANONYMOUS,
    locale: str | None = None,
    limit: int = 10,
    source: str = ViewSource.HELP,
    session_key: str = "",
    log: bool = True,
) -> list[Hit]:
    """The articles that answer ``q`` best, that the audience may read, best first."""
    limit = max(1, min(limit, MAX_RESULTS))
    found = _ranked(q, audience, locale)
    ranked = [(pk, s) for pk, s in found.scores if pk in found.relevant][:limit]
    articles = (
        visible_articles(audience=audience, locale=locale)
        .select_related("section__category")
        .in_bulk([pk for pk, _s in ranked])
    )
    hits = [Hit(articles[pk], score) for pk, score in ranked if pk in articles]
    if log:
        _log(q, locale, source, len(hits), session_key)
    return hits


@dataclass(frozen=True)
class Answer:
    article: Article | None
    excerpt: str
    confidence: float
    handoff: bool
    threshold: float


def kb_answer(
    *,
    question: str,
    audience: str = Audience.ANONYMOUS,
    locale: str | None = None,
    session_key: str = "",
    source: str = ViewSource.BOT,
) -> Answer:
    """The bot: the best article when the question model is confident enough (its
    threshold was chosen on the organisation's own data), otherwise a hand-over."""
    found = _ranked(question, audience, locale)
    ranked, loaded, vector = found.scores, found.loaded, found.vector
    model = loaded.model
    if not ranked or vector is None:
        _log(question, locale, source, 0, session_key)
        return Answer(None, "", 0.0, True, model.threshold if model else 1.0)
    best, _score = ranked[0]
    if model is not None:
        confidence = found.probabilities.get(best, 0.0)
        threshold = model.threshold
    else:  # no model yet: similarity, and a conservative bar
        confidence = found.similarity.get(best, 0.0)
        threshold = 0.8
    if confidence < threshold:
        _log(question, locale, source, 0, session_key)
        return Answer(None, "", confidence, True, threshold)
    article = visible_articles(audience=audience, locale=locale).filter(pk=best).first()
    if article is None:  # unpublished a moment ago
        _log(question, locale, source, 0, session_key)
        return Answer(None, "", confidence, True, threshold)
    _log(question, locale, source, 1, session_key)
    return Answer(article, excerpt(article.body), confidence, False, threshold)
