"""One ranking of a whole image set: cross-validate, score, add the pixel signals, combine, flag.

The signals (ganpipe.curate.signals) and why these: benchmarks/suspects.py measures each one's
average precision on a search-like folder (logo-like graphics with photos, text, near-empty
images, other marks and wrong labels mixed in) and on hand photos with injected errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import cohen_kappa_score

from ganpipe.curate.crossval import cross_validate
from ganpipe.curate.pixels import statistics, thumbnails
from ganpipe.curate.relevance import Relevance, relevance
from ganpipe.curate.scores import Scores, ranks, score
from ganpipe.curate.signals import (
    Combined,
    Signal,
    class_knn_scores,
    class_support,
    combine,
    coverage_signal,
    label_signal,
    photo_signal,
    photographic_signal,
    statistics_signal,
    typicality_signal,
    weighted,
)
from ganpipe.data import ImageSet
from ganpipe.params import CurateParams

# Every signal a ranking can hold, in the suspects table's column order; relevance only when
# open_clip's weights could be had.
SIGNALS = (
    "label",
    "outlier",
    "typicality",
    "photo",
    "photographic",
    "coverage",
    "statistics",
    "relevance",
)


# The photographic signal is a second view of what the border's photo signal sees: at full
# weight a photo found by both counted twice against text, near-empty images and wrong labels.
# benchmarks/suspects.py's pixel signals on five folders a suite: search-like lift 4.63x at 1,
# 4.73x at 0.5 (as without it); web-like 8.45x either way, AP 0.916 / 0.911
PHOTOGRAPHIC_WEIGHT = 0.5


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


def classifier_trust(scores: Scores, labels: np.ndarray) -> float:
    """Cohen's kappa of the out-of-fold predictions, at least 0: how much better than chance the
    cross-validated classifier is, so how much its doubts are worth. On 10 graphics a class it
    learns little, and its noise would otherwise fill the top (benchmarks/suspects.py: the top
    10% held 4.8x the bad share of search-like folders with this weight, 4.1x without, while
    hand photos, where kappa is 0.85, kept their recall)."""
    predicted = scores.pred_probs.argmax(axis=1)
    if len(np.unique(np.concatenate([labels, predicted]))) < 2:
        return 0.0  # one class everywhere: kappa is undefined, and so is any doubt
    return max(0.0, float(cohen_kappa_score(labels, predicted)))


def offline_signals(data: ImageSet, scores: Scores, p: CurateParams) -> list[Signal]:
    """The signals that need no download: the classifier's (weighted by its kappa), the pixels'
    own across the whole dataset (inside the letterbox bars), and the within-class ones weighted
    by how far each class's size supports them (a real folder has 11-17 images a brand)."""
    return _offline(data, scores, p, previous=False)


def previous_signals(data: ImageSet, scores: Scores, p: CurateParams) -> list[Signal]:
    """The offline signals before issue 27 (statistics of the whole frame, letterbox bars
    included; no photographic signal; within-class signals at full weight in any class):
    benchmarks/suspects.py ranks with both."""
    return _offline(data, scores, p, previous=True)


def _offline(data: ImageSet, scores: Scores, p: CurateParams, previous: bool) -> list[Signal]:
    labels = data.labels.numpy()
    given = [data.classes[i] for i in labels.tolist()]
    predicted = [data.classes[i] for i in scores.pred_probs.argmax(axis=1)]
    trust = classifier_trust(scores, labels)
    support = 1.0 if previous else class_support(labels, p.neighbours)
    stats = statistics(data.images, inside_bars=not previous)
    layout = class_knn_scores(thumbnails(data.images), labels, p.neighbours)
    outlier = typicality_signal("outlier", scores.outlier_score, given, " to the classifier")
    found = [
        weighted(label_signal(scores.label_quality, predicted, given), trust),
        weighted(outlier, trust * support),
        weighted(typicality_signal("typicality", layout, given), support),
        photo_signal(stats["border"]),
        coverage_signal(stats["foreground"]),
        statistics_signal(stats, p.seed),
    ]
    photographic = weighted(photographic_signal(stats), PHOTOGRAPHIC_WEIGHT)
    return found if previous else [*found[:4], photographic, *found[4:]]


SignalMaker = Callable[[ImageSet, Scores, CurateParams], list[Signal]]


def score_images(data: ImageSet, p: CurateParams) -> Scores:
    """The cross-validated classifier's scores (the slow part: benchmarks rank twice on them)."""
    return score(cross_validate(data, p), data.labels.numpy(), len(data.classes), p.neighbours)


def rank_images(
    data: ImageSet,
    p: CurateParams,
    queries: Mapping[str, str],
    scores: Scores | None = None,
    signals: SignalMaker = offline_signals,
) -> Ranking:
    """Score every image with every available signal, combine, and rank."""
    labels = data.labels.numpy()
    scores = score_images(data, p) if scores is None else scores
    found = signals(data, scores, p)
    judged = relevance(data, queries, p)
    if judged.status == "unavailable":
        print(f"[curate] {judged.reason}")
    if judged.signal is not None:
        found.append(judged.signal)
    combined = combine(found, p.suspect_fraction)
    rank = ranks(combined.evidence, data.ids)
    return Ranking(
        labels=labels,
        classes=data.classes,
        scores=scores,
        relevance=judged,
        signals=found,
        combined=combined,
        rank=rank,
        suspect=rank <= math.ceil(p.suspect_fraction * len(rank)),
        dropped=p.drop & (combined.suspicion >= p.drop_threshold),
    )
