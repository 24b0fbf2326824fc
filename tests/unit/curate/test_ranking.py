"""The classifier's say in the ranking: its out-of-fold Cohen's kappa, never below 0."""

from __future__ import annotations

import numpy as np
import pytest

from ganpipe.curate.ranking import classifier_trust
from ganpipe.curate.scores import Scores


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
