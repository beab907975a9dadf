"""The sentence model runs offline from the package's files, and means what it says."""

from __future__ import annotations

import numpy as np

from caredesk.knowledge.embedding import DIMENSIONS, encoder


def test_paraphrases_are_nearer_than_unrelated_sentences() -> None:
    v = encoder().encode([
        "How do I reset my password?",
        "I forgot my password and cannot sign in",
        "The parcel arrived damaged",
    ])  # fmt: skip
    assert v.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.6
    assert v[0] @ v[2] < 0.3


def test_the_same_text_gives_the_same_vector_alone_and_in_a_padded_batch() -> None:
    alone = encoder().encode(["refund"])[0]
    batch = encoder().encode(["refund", "a much longer sentence that pads the short one"])[0]
    assert np.allclose(alone, batch, atol=1e-5)
