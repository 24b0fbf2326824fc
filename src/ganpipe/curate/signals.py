"""Suspicion signals, each a robust z-score per image with the words that explain it, and their sum.

Every signal measures one way an image can be wrong, on a scale where larger is less typical:
the classifier doubts its label, it is unlike its class, it looks like a photo among graphics
(or a graphic among photos), it is nearly empty, its statistics are unusual, its text query does
not match. Each becomes a robust z-score, (value - median) / max(IQR / 1.349, floor), where the
floor is the smallest difference that means anything in the signal's units: a signal on which
every image looks alike cannot blow up noise. Positive parts combine as a sum of squares (the
chi-square way of adding independent evidence, benchmarks/suspects.py measured it against rank
averaging): one signal far out, or several somewhat out, both rank high, while a signal that finds
nothing adds little. Ranks would not keep that: a useless signal's top 10% is as high a rank as
a useful one's. The sum is shown to users on a scale where 0.5 is the suspect cut (``calibrate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from cleanlab.outlier import OutOfDistribution
from scipy.stats import norm, rankdata
from sklearn.ensemble import IsolationForest

from ganpipe.curate.pixels import PHOTO_DIRECTION, STATISTICS

TINY = 1e-12
# Words for a statistic far below / above the rest of the images (the 'statistics' signal).
UNUSUAL = {
    "flat": ("few flat areas", "mostly flat"),
    "texture": ("little texture", "much fine texture"),
    "edges": ("few edges", "many sharp edges"),
    "colours": ("very few colours", "many colours"),
    "foreground": ("little drawn", "drawn edge to edge"),
    "saturation": ("grey", "very colourful"),
}
# The photo statistics' floors (their units' smallest meaningful difference), where a graphic
# turns into a photo at 64 px (only to tell which a dataset mostly holds: hand photos sit on the
# photo side of all five, Noto emoji drawn as search results on the graphic side), and the words
PHOTO_STATISTICS = {  # name: (floor, midpoint, words)
    "colours": (1.0, 16.0, "many colours"),
    "palette": (0.02, 0.75, "no dominant colours"),
    "flat": (0.02, 0.7, "few flat areas"),
    "texture": (0.01, 0.2, "fine texture"),
    "blocks": (0.1, 6.0, "shading everywhere"),
}


@dataclass(frozen=True)
class Signal:
    """One signal: robust z per image (> 0 = less typical) and per image what it says."""

    name: str
    z: np.ndarray
    reasons: Sequence[str]


def robust_z(values: np.ndarray, floor: float) -> np.ndarray:
    """(values - median) / max(IQR / 1.349, floor): a z-score that outliers do not inflate."""
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return (values - median) / max((q3 - q1) / 1.349, floor)


def surprisal(probability: np.ndarray) -> np.ndarray:
    """-log p: a probability near 0 is far out, which a bounded score would hide."""
    return -np.log(np.maximum(probability, TINY))


def label_signal(
    label_quality: np.ndarray, predicted: Sequence[str], given: Sequence[str]
) -> Signal:
    """cleanlab's label quality of the out-of-fold classifier, in nats (floor 0.1)."""
    reasons = [
        f"closer to class {p}" if p != g else f"the classifier doubts {g}"
        for p, g in zip(predicted, given, strict=True)
    ]
    return Signal("label", robust_z(surprisal(label_quality), 0.1), reasons)


def class_knn_scores(features: np.ndarray, labels: np.ndarray, neighbours: int) -> np.ndarray:
    """cleanlab's OOD score of each image among the other images of its class (1 = typical)."""
    out = np.ones(len(labels))
    for label in np.unique(labels):
        mine = labels == label
        k = min(neighbours, int(mine.sum()) - 1)
        if k >= 1:
            ood = OutOfDistribution(params={"k": k})
            out[mine] = ood.fit_score(features=features[mine], verbose=False)
    return out


def typicality_signal(name: str, scores: np.ndarray, given: Sequence[str], how: str = "") -> Signal:
    """An OOD score within the class (cleanlab: exp(-distance)), as distance (floor 0.05)."""
    reasons = [f"unlike the other images of {g}{how}" for g in given]
    return Signal(name, robust_z(surprisal(scores), 0.05), reasons)


def two_sided(name: str, values: np.ndarray, floor: float, low: str, high: str) -> Signal:
    """A statistic that is suspicious far out on either side, with words for each side."""
    z = robust_z(values, floor)
    return Signal(name, np.abs(z), [high if v > 0 else low for v in z])


def photo_signal(border: np.ndarray) -> Signal:
    """Border roughness (a share; floor 0.01, a graphic's own noise at pixels.STEP): photos
    among graphics, or graphics among photos."""
    return two_sided("photo", border, 0.01, "looks like a flat graphic", "looks like a photo")


def photos_majority(stats: dict[str, np.ndarray]) -> bool:
    """Whether the typical image is a photo: its median is on the photo side of most midpoints."""
    votes = [
        PHOTO_DIRECTION[k] * (np.median(stats[k]) - midpoint) > 0
        for k, (_, midpoint, _) in PHOTO_STATISTICS.items()
    ]
    return sum(votes) > len(votes) / 2


def photographic_signal(stats: dict[str, np.ndarray]) -> Signal:
    """Photo among graphics (or graphic among photos) by what fills the frame, across the whole
    dataset: per statistic of ``PHOTO_STATISTICS`` a robust z in its photo direction, and their
    median. A photo is out on most of them whatever its class, its border smooth or not; a
    graphic unusual on one or two (a chrome badge's many colours, a gradient) is not.
    One-sided: only the minority's side is suspect."""
    z = np.stack(
        [
            PHOTO_DIRECTION[k] * robust_z(stats[k], floor)
            for k, (floor, _, _) in PHOTO_STATISTICS.items()
        ]
    )
    middle = np.median(z, axis=0)
    if photos_majority(stats):
        return Signal("photographic", -middle, ["looks like a flat graphic"] * len(middle))
    names = list(PHOTO_STATISTICS)
    reasons = [
        "looks like a photo: " + ", ".join(PHOTO_STATISTICS[names[j]][2] for j in order[:2])
        for order in np.argsort(-z, axis=0).T
    ]
    return Signal("photographic", middle, reasons)


def coverage_signal(foreground: np.ndarray) -> Signal:
    """log of the drawn share (floor 0.1): a tiny mark on a blank page, or a full frame."""
    log_share = np.log(np.maximum(foreground, 1 / 4096))
    return two_sided("coverage", log_share, 0.1, "nearly empty", "fills the whole frame")


def statistics_signal(stats: dict[str, np.ndarray], seed: int) -> Signal:
    """An isolation forest over the quantile-normal statistics: an unusual mix of them (text
    alone, a strange palette); the words name the statistic furthest from the median."""
    normal = np.stack([norm.ppf((rankdata(stats[k]) - 0.5) / len(stats[k])) for k in STATISTICS])
    forest = IsolationForest(random_state=seed).fit(normal.T)
    furthest = np.abs(normal).argmax(axis=0)
    reasons = [
        "unusual image: " + UNUSUAL[STATISTICS[j]][int(normal[j, i] > 0)]
        for i, j in enumerate(furthest)
    ]
    return Signal("statistics", robust_z(-forest.score_samples(normal.T), 0.01), reasons)


def weighted(signal: Signal, weight: float | np.ndarray) -> Signal:
    """The signal with its z-scores scaled (per image too): less say for a judge that is often
    wrong, or for a comparison the class is too small to support."""
    return Signal(signal.name, signal.z * weight, signal.reasons)


def class_support(labels: np.ndarray, neighbours: int) -> np.ndarray:
    """Per image, how far its class's size supports a within-class comparison: 0 with at most
    ``neighbours`` others (the neighbours are the whole class, and a class drawn in three styles
    makes each style look unlike the rest), rising to 1 at three times as many."""
    sizes = np.bincount(labels)[labels]
    return np.clip((sizes - 1 - neighbours) / (2 * neighbours), 0.0, 1.0)


@dataclass(frozen=True)
class Combined:
    """The signals' verdict per image."""

    evidence: np.ndarray  # sum of squared positive z over the signals
    suspicion: np.ndarray  # in [0, 1]: 0.5 at the suspect cut (``calibrate``)
    strongest: list[str]  # the signal with the largest z
    reason: list[str]  # what that signal says


def calibrate(evidence: np.ndarray, fraction: float) -> np.ndarray:
    """evidence / (evidence + the evidence at the top ``fraction``'s cut): 1/2 at the cut, 0.9
    at nine times it. A chi-square CDF of robust z read 1.000 for the top 19 of a real folder,
    strong and weak alike; this keeps the order and shows how far past the cut an image is."""
    count = min(len(evidence), max(1, int(np.ceil(fraction * len(evidence)))))
    cut = max(float(np.sort(evidence)[::-1][count - 1]), TINY)
    return evidence / (evidence + cut)


def combine(signals: Sequence[Signal], fraction: float) -> Combined:
    """Sum of squared positive z; suspicion calibrated on the suspects' share ``fraction``."""
    z = np.clip(np.stack([s.z for s in signals]), 0, None)
    evidence = (z**2).sum(axis=0)
    top = z.argmax(axis=0)
    return Combined(
        evidence=evidence,
        suspicion=calibrate(evidence, fraction),
        strongest=[signals[j].name for j in top],
        reason=[signals[j].reasons[i] for i, j in enumerate(top)],
    )
