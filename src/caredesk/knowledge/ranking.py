"""How articles are ranked for a question, and when the bot is sure enough to answer:
pure numpy and scikit-learn, no Django.

Three signals, each from the organisation's own articles:
- **similarity**: the cosine of the question's sentence vector with the article's
  nearest vector (its title and lead, or one of its "questions this answers");
- **the question model**: a multinomial logistic regression over the sentence vectors
  of every article's questions, learned from them (trained by a job; an article is a
  class). It tells apart articles whose questions are alike, which similarity alone
  confuses;
- **words**: the full-text rank (bm25 / ts_rank), a small tie-breaker for rare words
  such as product names that sentence vectors blur.

score = model probability (when trained) + SIMILARITY_WEIGHT x similarity + words bonus.

The bot's confidence is the model probability of the best article (the similarity when
no model is trained). The threshold above which it answers is chosen on the
organisation's data (threshold_choose): the questions of its articles, predicted by a
model that did not see them (cross-validation), and what it asked for help with before
(ticket subjects solved without an article): answering right counts +1, answering wrong
(or answering what no article answers) -1, handing over 0.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SIMILARITY_WEIGHT = 0.5
WORDS_BONUS = 0.05  # to the best full-text match, falling with its rank
MIN_QUESTIONS = 2  # articles with fewer questions leave the model to similarity
MAX_MODEL_CLASSES = 3000  # beyond this a model would take too long to train on 2 cores

Floats = npt.NDArray[np.float32]


class VectorIndex:
    """Every article vector in one matrix, grouped by article, so that an article's
    similarity (its nearest vector's) is one product and one reduction, no loop."""

    NEAREST = 200  # articles returned by similarity(), nearest first

    def __init__(self, article_ids: npt.NDArray[np.int64], matrix: Floats) -> None:
        order = np.argsort(article_ids, kind="stable")
        self.matrix: Floats = np.ascontiguousarray(matrix[order])  # (rows, 384), unit vectors
        grouped = article_ids[order]
        first = np.ones(len(grouped), dtype=bool)
        first[1:] = grouped[1:] != grouped[:-1]
        self.starts = np.flatnonzero(first)  # each article's first row
        self.articles: npt.NDArray[np.int64] = grouped[self.starts]  # ascending

    def __len__(self) -> int:
        return len(self.articles)

    def mask(self, allowed: set[int]) -> npt.NDArray[np.bool_]:
        """Which of the index's articles are in ``allowed``, for similarity()."""
        return np.isin(self.articles, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))

    def similarity(
        self, query: Floats, *, only: npt.NDArray[np.bool_] | None = None
    ) -> dict[int, float]:
        """The NEAREST articles (of ``only``, when given), each with the cosine of its
        nearest vector with the query."""
        if not len(self.articles):
            return {}
        best: Floats = np.maximum.reduceat(self.matrix @ query, self.starts)
        candidates = np.flatnonzero(only) if only is not None else np.arange(len(best))
        if len(candidates) > self.NEAREST:
            near = np.argpartition(-best[candidates], self.NEAREST - 1)[: self.NEAREST]
            candidates = candidates[near]
        return {int(self.articles[i]): float(best[i]) for i in candidates}


@dataclass
class QuestionModel:
    """A trained question model: probabilities over article ids."""

    article_ids: npt.NDArray[np.int64]
    coef: Floats  # (classes, 384)
    intercept: Floats
    threshold: float  # the bot answers at this probability or above
    cv_accuracy: float

    def probabilities(self, query: Floats) -> dict[int, float]:
        z = self.coef @ query + self.intercept
        z = np.exp(z - z.max())
        p = z / z.sum()
        top = np.argpartition(-p, 49)[:50] if len(p) > 50 else np.arange(len(p))
        return {int(self.article_ids[i]): float(p[i]) for i in top}

    def dumps(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(
            out,
            article_ids=self.article_ids,
            coef=self.coef,
            intercept=self.intercept,
            meta=np.array([self.threshold, self.cv_accuracy]),
        )
        return out.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> QuestionModel:
        z = np.load(io.BytesIO(data))
        meta = z["meta"]
        return cls(
            z["article_ids"],
            z["coef"].astype(np.float32),
            z["intercept"].astype(np.float32),
            float(meta[0]),
            float(meta[1]),
        )


def combine(
    similarity: dict[int, float],
    probabilities: dict[int, float] | None,
    word_ranks: Sequence[int],
    allowed: AbstractSet[int] | None,
) -> list[tuple[int, float]]:
    """(article id, score), best first, only the allowed articles."""
    scores: dict[int, float] = {}
    for article_id, sim in similarity.items():
        scores[article_id] = SIMILARITY_WEIGHT * sim
    for article_id, p in (probabilities or {}).items():
        scores[article_id] = scores.get(article_id, 0.0) + p
    for rank, article_id in enumerate(word_ranks):
        scores[article_id] = scores.get(article_id, 0.0) + WORDS_BONUS / (1 + rank)
    ranked = [(a, s) for a, s in scores.items() if allowed is None or a in allowed]
    ranked.sort(key=lambda pair: (-pair[1], pair[0]))
    return ranked


def model_train(
    vectors: Floats, labels: Sequence[int], *, folds: int = 3, negatives: Floats | None = None
) -> QuestionModel | None:
    """Learn the question model from question vectors labelled with their article, and
    choose the bot's threshold by cross-validation (plus the ``negatives``: questions no
    article answered). None when there is too little to learn from."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels, dtype=np.int64)
    classes, counts = np.unique(y, return_counts=True)
    keep = np.isin(y, classes[counts >= MIN_QUESTIONS])
    x, y = vectors[keep], y[keep]
    classes = np.unique(y)
    if len(classes) < 2 or len(classes) > MAX_MODEL_CLASSES:
        return None

    def fit(xs: Floats, ys: npt.NDArray[np.int64]) -> LogisticRegression:
        return LogisticRegression(C=10.0, max_iter=300).fit(xs, ys)

    right: list[float] = []
    wrong: list[float] = []
    scored_negatives = False
    missed = 0
    n_folds = min(folds, int(np.unique(y, return_counts=True)[1].min()))
    if n_folds >= 2:
        for train, held in StratifiedKFold(n_folds, shuffle=True, random_state=0).split(x, y):
            model = fit(x[train], y[train])
            p = model.predict_proba(x[held])
            best = model.classes_[p.argmax(1)]
            for conf, guess, truth in zip(p.max(1), best, y[held], strict=True):
                (right if guess == truth else wrong).append(float(conf))
                missed += int(guess != truth)
            if negatives is not None and len(negatives) and not scored_negatives:
                wrong += [float(v) for v in model.predict_proba(negatives).max(1)]
                scored_negatives = True  # once, by a model that never saw them
    model = fit(x, y)
    total = len(right) + missed
    cv_accuracy = len(right) / total if total else 0.0
    return QuestionModel(
        article_ids=model.classes_.astype(np.int64),
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_.astype(np.float32),
        threshold=threshold_choose(right, wrong),
        cv_accuracy=cv_accuracy,
    )


def threshold_choose(right: Sequence[float], wrong: Sequence[float]) -> float:
    """The confidence at or above which answering gains most: +1 for each right answer,
    -1 for each wrong one, 0 for handing over."""
    marks = sorted([(c, 1) for c in right] + [(c, -1) for c in wrong], reverse=True)
    best_gain, best_at, gain = 0, 1.01, 0
    for conf, mark in marks:
        gain += mark
        if gain > best_gain:
            best_gain, best_at = gain, conf
    return float(best_at)
