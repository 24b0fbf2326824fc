"""The classifier's say in the ranking (its out-of-fold kappa, never below 0), and the signals."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganpipe.curate.ranking import SIGNALS, classifier_trust, offline_signals, previous_signals
from ganpipe.curate.scores import Scores
from ganpipe.data import ImageSet
from ganpipe.params import CurateParams


def scores_predicting(predicted: list[int], classes: int) -> Scores:
    probs = np.eye(classes)[predicted] * 0.9 + 0.1 / classes
    ones = np.ones(len(predicted))
    flags = np.zeros(len(predicted), dtype=bool)
    return Scores(probs, ones, flags, ones, flags)


def test_trust_is_kappa_clipped_at_zero() -> None:
    labels = np.array([0, 0, 1, 1, 2, 2])
    assert classifier_trust(scores_predicting([0, 0, 1, 1, 2, 2], 3), labels) == 1.0
    # 3 of 6 right where chance agreement is 1/3: kappa (1/2 - 1/3) / (1 - 1/3) = 0.25
    assert classifier_trust(scores_predicting([0, 1, 1, 2, 2, 0], 3), labels) == pytest.approx(0.25)
    assert classifier_trust(scores_predicting([1, 1, 2, 2, 0, 0], 3), labels) == 0.0
    assert classifier_trust(scores_predicting([0, 0], 1), np.array([0, 0])) == 0.0


def test_todays_and_the_new_signals_on_a_small_and_a_large_class() -> None:
    """The new ranking adds the photographic signal and gives a class of 11 no within-class say;
    today's ranking (kept for benchmarks/suspects.py) weighs every class alike."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], [11, 40])
    images = np.full((51, 3, 64, 64), 255, np.uint8)
    for i, label in enumerate(labels):  # squares of the class's colour, anywhere
        y, x = rng.integers(0, 40, 2)
        images[i, :, y : y + 24, x : x + 24] = np.array([[200, 30, 30], [30, 30, 200]])[label][
            :, None, None
        ]
    data = ImageSet(
        torch.from_numpy(images), torch.from_numpy(labels), ["a", "b"], [str(i) for i in range(51)]
    )
    scores = scores_predicting(labels.tolist(), 2)
    params = CurateParams(relevance="off")
    new, today = offline_signals(data, scores, params), previous_signals(data, scores, params)
    assert [s.name for s in today] == [n for n in SIGNALS if n not in ("photographic", "relevance")]
    assert [s.name for s in new] == [n for n in SIGNALS if n != "relevance"]
    typical = {s.name: s.z for s in new}["typicality"]
    assert not typical[:11].any() and typical[11:].any()  # class a: 11 images, 10 neighbours
    assert {s.name: s.z for s in today}["typicality"][:11].any()
