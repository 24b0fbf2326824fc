"""One ranking of a whole image set: cross-validate, score with cleanlab, combine, flag."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ganpipe.curate.crossval import cross_validate
from ganpipe.curate.relevance import Relevance, relevance
from ganpipe.curate.scores import Scores, ranks, score, suspicion
from ganpipe.data import ImageSet
from ganpipe.params import CurateParams


@dataclass(frozen=True)
class Ranking:
    """The verdict per image, in the image set's order."""

    labels: np.ndarray  # class index per image
    classes: list[str]
    scores: Scores
    relevance: Relevance
    suspicion: np.ndarray  # in [0, 1], higher = more suspicious
    rank: np.ndarray  # 1 = most suspicious
    suspect: np.ndarray  # flagged: the top ``suspect_fraction``
    dropped: np.ndarray  # at or above ``drop_threshold`` with ``drop`` on

    @property
    def predicted(self) -> list[str]:
        """The class the out-of-fold model picked for each image."""
        return [self.classes[i] for i in self.scores.pred_probs.argmax(axis=1)]


def rank_images(data: ImageSet, p: CurateParams, queries: Mapping[str, str]) -> Ranking:
    """Score every image (label quality, outlier score, relevance when available) and rank."""
    labels = data.labels.numpy()
    scores = score(cross_validate(data, p), labels, len(data.classes), p.neighbours)
    judged = relevance(data, queries, p)
    if judged.status == "unavailable":
        print(f"[curate] {judged.reason}")
    qualities = [scores.label_quality, scores.outlier_score]
    if judged.scores is not None:
        qualities.append(judged.scores)
    values = suspicion(qualities)
    rank = ranks(values, data.ids)
    return Ranking(
        labels=labels,
        classes=data.classes,
        scores=scores,
        relevance=judged,
        suspicion=values,
        rank=rank,
        suspect=rank <= math.ceil(p.suspect_fraction * len(rank)),
        dropped=p.drop & (values >= p.drop_threshold),
    )
