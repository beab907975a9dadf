"""The ranking and the bot's threshold, without a database."""

from __future__ import annotations

import numpy as np

from caredesk.knowledge.ranking import QuestionModel, combine, model_train, threshold_choose


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
