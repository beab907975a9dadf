"""The ranking and the bot's threshold, without a database."""

from __future__ import annotations

import numpy as np

from caredesk.knowledge.ranking import (
    QuestionModel,
    VectorIndex,
    combine,
    model_train,
    threshold_choose,
)


def test_threshold_maximises_right_minus_wrong_answers() -> None:
    # answering at >= 0.7 gives 3 right, 0 wrong; lower adds as many wrong as right
    assert threshold_choose([0.9, 0.8, 0.7, 0.4], [0.5, 0.3]) == 0.7
    assert threshold_choose([], [0.9]) > 1.0  # nothing right: never answer


def test_combine_keeps_only_allowed_articles() -> None:
    ranked = combine({1: 0.9, 2: 0.8}, {2: 0.7, 3: 0.2}, [3], allowed={2, 3})
    assert [a for a, _s in ranked] == [2, 3]


def test_model_learns_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 8)).astype(np.float32)
    x = np.concatenate([c + 0.05 * rng.normal(size=(6, 8)) for c in centres]).astype(np.float32)
    y = [10] * 6 + [20] * 6 + [30] * 6
    model = model_train(x, y)
    assert model is not None
    assert model.cv_accuracy == 1.0
    again = QuestionModel.loads(model.dumps())
    best = max(again.probabilities(centres[1]).items(), key=lambda kv: kv[1])
    assert best[0] == 20


def test_too_little_to_learn_gives_no_model() -> None:
    assert model_train(np.zeros((1, 8), dtype=np.float32), [1]) is None


def _unit(*xs: float) -> list[float]:
    v = np.array(xs, dtype=np.float32)
    return list(v / np.linalg.norm(v))


def test_index_gives_each_article_its_nearest_vector_and_honours_the_mask() -> None:
    # rows out of order: article 7 has two vectors, one of them the query itself
    ids = np.array([7, 3, 7, 5], dtype=np.int64)
    matrix = np.array([_unit(1, 0), _unit(1, 1), _unit(0, 1), _unit(-1, 0)], dtype=np.float32)
    index = VectorIndex(ids, matrix)
    query = np.array(_unit(0, 1), dtype=np.float32)
    sims = index.similarity(query)
    assert sims.keys() == {3, 5, 7}
    assert abs(sims[7] - 1.0) < 1e-6  # its second vector, not its first (0.0)
    assert abs(sims[3] - 0.7071) < 1e-3
    assert abs(sims[5]) < 1e-6
    assert index.similarity(query, only=index.mask({3, 5})).keys() == {3, 5}


def test_index_returns_only_the_nearest_articles() -> None:
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(500, 8)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = VectorIndex(np.arange(500, dtype=np.int64), matrix)
    sims = index.similarity(matrix[42])
    assert len(sims) == VectorIndex.NEAREST
    assert max(sims, key=lambda a: sims[a]) == 42
    cut = min(sims.values())
    assert all(matrix[a] @ matrix[42] <= cut + 1e-6 for a in range(500) if a not in sims)
