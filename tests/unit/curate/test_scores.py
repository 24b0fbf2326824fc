"""cleanlab's scores: reference values, the outlier fence, a deterministic rank."""

from __future__ import annotations

import numpy as np
import pytest

from ganpipe.curate.crossval import Fold
from ganpipe.curate.scores import beyond_fence, class_outlier_scores, ranks, score


def test_ranks_break_ties_by_id() -> None:
    assert ranks(np.array([0.2, 0.9, 0.2]), ["b", "z", "a"]).tolist() == [3, 1, 2]


def test_fence_flags_only_the_far_image_of_each_class() -> None:
    scores = np.array([0.5, 0.6, 0.45, 0.55, 0.001, 0.5, 0.4, 0.45, 0.55, 0.6])
    labels = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    assert beyond_fence(scores, labels).tolist() == [False] * 4 + [True] + [False] * 5


def _fold(features: np.ndarray, labels: np.ndarray, test: list[int]) -> Fold:
    test_idx = np.array(test)
    train = np.setdiff1d(np.arange(len(labels)), test_idx)
    probs = np.eye(2)[labels[test_idx]] * 0.8 + 0.1
    return Fold(train, test_idx, features, probs)


def test_an_image_far_from_its_class_has_the_lowest_outlier_score() -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 20)
    features = rng.normal(size=(40, 8)) + 5.0 * np.eye(8)[labels]  # a direction per class
    features[3] = rng.normal(size=8) + 5.0 * np.eye(8)[5]  # (cleanlab: cosine, in 8 dims)
    fold = _fold(features, labels, [1, 2, 3, 21, 22])
    out = class_outlier_scores(fold, labels, neighbours=5)
    assert out.argmin() == 2 and ((out >= 0) & (out <= 1)).all()


def test_score_fills_every_image_from_its_own_fold() -> None:
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1], 10)
    features = rng.normal(size=(20, 4)) + 5.0 * np.eye(4)[labels]
    folds = [_fold(features, labels, list(range(i, 20, 2))) for i in (0, 1)]
    folds[0].test_probs[0] = [0.05, 0.95]  # image 0 (class 0): the model says class 1
    scores = score(folds, labels, 2, neighbours=3)
    assert scores.label_quality[0] == pytest.approx(0.05)
    assert scores.label_quality[1:] == pytest.approx(np.full(19, 0.9))
    assert scores.pred_probs.sum(axis=1) == pytest.approx(np.ones(20))
