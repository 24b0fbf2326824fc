"""One ranking of a whole image set: cross-validate, score, add the pixel signals, combine, flag.

The signals (ganpipe.curate.signals) and why these: benchmarks/suspects.py measures each one's
average precision on a search-like folder (logo-like graphics with photos, text, near-empty
images, other marks and wrong labels mixed in) and on hand photos with injected errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ganpipe.curate.crossval import cross_validate
from ganpipe.curate.pixels import statistics, thumbnails
from ganpipe.curate.relevance import Relevance, relevance
from ganpipe.curate.scores import Scores, ranks, score
from ganpipe.curate.signals import (
    Combined,
    Signal,
    class_knn_scores,
    combine,
    coverage_signal,
    label_signal,
    photo_signal,
    statistics_signal,
    typicality_signal,
)
from ganpipe.data import ImageSet
from ganpipe.params import CurateParams

# Every signal a ranking can hold, in the suspects table's column order; relevance only when
# open_clip's weights could be had.
SIGNALS = ("label", "outlier", "typicality", "photo", "coverage", "statistics", "relevance")


@dataclass(frozen=True)
class Ranking:
    """The verdict per image, in the image set's order."""

    labels: np.ndarray  # class index per image
    classes: list[str]
    scores: Scores
    relevance: Relevance
    signals: list[Signal]
    combined: Combined
    rank: np.ndarray  # 1 = most suspicious
    suspect: np.ndarray  # flagged: the top ``suspect_fraction``
    dropped: np.ndarray  # at or above ``drop_threshold`` with ``drop`` on

    @property
    def suspicion(self) -> np.ndarray:
        """In [0, 1], higher = more suspicious."""
        return self.combined.suspicion

    @property
    def predicted(self) -> list[str]:
        """The class the out-of-fold model picked for each image."""
        return [self.classes[i] for i in self.scores.pred_probs.argmax(axis=1)]


def offline_signals(data: ImageSet, scores: Scores, p: CurateParams) -> list[Signal]:
    """The signals that need no download: the classifier's and the pixels' own."""
    given = [data.classes[i] for i in data.labels.tolist()]
    predicted = [data.classes[i] for i in scores.pred_probs.argmax(axis=1)]
    stats = statistics(data.images)
    layout = class_knn_scores(thumbnails(data.images), data.labels.numpy(), p.neighbours)
    return [
        label_signal(scores.label_quality, predicted, given),
        typicality_signal("outlier", scores.outlier_score, given, " to the classifier"),
        typicality_signal("typicality", layout, given),
        photo_signal(stats["border"]),
        coverage_signal(stats["foreground"]),
        statistics_signal(stats, p.seed),
    ]


def rank_images(data: ImageSet, p: CurateParams, queries: Mapping[str, str]) -> Ranking:
    """Score every image with every available signal, combine, and rank."""
    labels = data.labels.numpy()
    scores = score(cross_validate(data, p), labels, len(data.classes), p.neighbours)
    signals = offline_signals(data, scores, p)
    judged = relevance(data, queries, p)
    if judged.status == "unavailable":
        print(f"[curate] {judged.reason}")
    if judged.signal is not None:
        signals.append(judged.signal)
    combined = combine(signals)
    rank = ranks(combined.evidence, data.ids)
    return Ranking(
        labels=labels,
        classes=data.classes,
        scores=scores,
        relevance=judged,
        signals=signals,
        combined=combined,
        rank=rank,
        suspect=rank <= math.ceil(p.suspect_fraction * len(rank)),
        dropped=p.drop & (combined.suspicion >= p.drop_threshold),
    )
