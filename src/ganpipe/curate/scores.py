"""cleanlab's scores per image, from the out-of-fold classifier; ranks, deterministic.

- label quality: cleanlab.rank.get_label_quality_scores on out-of-fold probabilities (the
  probability the model gives the image's own label, "self_confidence"); low = likely mislabelled.
- label issues: cleanlab.filter.find_label_issues (confident learning), which also estimates how
  many labels are wrong, so it flags a count that fits the data rather than a fixed share.
- outlier score: cleanlab.outlier.OutOfDistribution on features, fitted per class on the fold's
  training images of that class and scoring the fold's held-out images of the class: how typical
  an image is of *its own* class (a Fashion-MNIST shoe among hand photos, a "3" among "5"s).
  cleanlab's convention: in [0, 1], low = atypical. An image is an outlier above the Tukey fence
  cleanlab's Datalab uses on the kNN distance, Q3 + (1/0.37037 - 1) * IQR, per class.

Both feed signals of the one ranking (ganpipe.curate.signals) beside the pixels' own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from cleanlab.filter import find_label_issues
from cleanlab.outlier import OutOfDistribution
from cleanlab.rank import get_label_quality_scores

from ganpipe.curate.crossval import Fold

OUTLIER_FENCE = 1 / 0.37037 - 1  # cleanlab Datalab's default IQR multiple for feature outliers
TINY = 1e-12


@dataclass(frozen=True)
class Scores:
    """Per image, in the image set's order."""

    pred_probs: np.ndarray  # (N, K) out of fold
    label_quality: np.ndarray  # (N,) in [0, 1], low = label likely wrong
    label_issue: np.ndarray  # (N,) bool, cleanlab's confident-learning flag
    outlier_score: np.ndarray  # (N,) in [0, 1], low = atypical of its class
    outlier: np.ndarray  # (N,) bool, beyond the class's fence


def class_outlier_scores(fold: Fold, labels: np.ndarray, neighbours: int) -> np.ndarray:
    """cleanlab's OOD score of each held-out image among its class's training images."""
    out = np.ones(len(fold.test))
    for label in np.unique(labels[fold.test]):
        train = fold.train[labels[fold.train] == label]
        judged = labels[fold.test] == label
        k = min(neighbours, len(train) - 1)
        if k < 1:
            continue  # one training image: nothing to compare with, so nothing to flag
        ood = OutOfDistribution(params={"k": k})
        ood.fit(features=fold.features[train], verbose=False)
        out[judged] = ood.score(features=fold.features[fold.test[judged]])
    return out


def score(folds: Iterable[Fold], labels: np.ndarray, n_classes: int, neighbours: int) -> Scores:
    """Collect the folds' out-of-fold probabilities and outlier scores; add cleanlab's labels."""
    probs = np.zeros((len(labels), n_classes))
    outlier_score = np.ones(len(labels))
    for fold in folds:
        probs[fold.test] = fold.test_probs
        outlier_score[fold.test] = class_outlier_scores(fold, labels, neighbours)
    return Scores(
        pred_probs=probs,
        label_quality=get_label_quality_scores(labels, probs),
        label_issue=find_label_issues(labels, probs, n_jobs=1),
        outlier_score=outlier_score,
        outlier=beyond_fence(outlier_score, labels),
    )


def beyond_fence(outlier_score: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per class, the images whose kNN distance (-log of the score) is past Q3 + 1.7 IQR."""
    distance = -np.log(np.maximum(outlier_score, TINY))
    out = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        mine = labels == label
        q1, q3 = np.percentile(distance[mine], [25, 75])
        out[mine] = distance[mine] > q3 + OUTLIER_FENCE * (q3 - q1)
    return out


def ranks(values: np.ndarray, ids: Sequence[str]) -> np.ndarray:
    """1 = most suspicious; ties broken by id, so the order is the same on every run."""
    order = sorted(range(len(values)), key=lambda i: (-values[i], ids[i]))
    out = np.empty(len(values), dtype=np.int64)
    out[order] = np.arange(1, len(values) + 1)
    return out
