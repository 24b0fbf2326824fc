"""Signals: robust z-scores with reference values, their words, and the sum that ranks."""

from __future__ import annotations

import numpy as np
import pytest

from ganpipe.curate.signals import (
    Signal,
    class_knn_scores,
    combine,
    coverage_signal,
    label_signal,
    photo_signal,
    robust_z,
    statistics_signal,
)


def test_robust_z_uses_the_iqr_and_its_floor() -> None:
    values = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 100.0])
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    assert robust_z(values, 0.1) == pytest.approx((values - median) / ((q3 - q1) / 1.349))
    flat = np.array([0.0, 0.0, 0.0, 0.0, 0.5])  # no spread: the floor is the unit
    assert robust_z(flat, 0.02).tolist() == pytest.approx([0, 0, 0, 0, 25])


def test_combine_adds_squared_positive_z_and_names_the_strongest() -> None:
    a = Signal("a", np.array([3.0, -5.0, 1.0]), ["a0", "a1", "a2"])
    b = Signal("b", np.array([4.0, 0.0, 2.0]), ["b0", "b1", "b2"])
    got = combine([a, b])
    assert got.evidence.tolist() == [25.0, 0.0, 5.0]
    assert got.strongest == ["b", "a", "b"] and got.reason == ["b0", "a1", "b2"]
    assert got.suspicion == pytest.approx([1 - np.exp(-12.5), 0.0, 1 - np.exp(-2.5)])


def test_two_sided_signals_say_which_side() -> None:
    border = np.array([0.0, 0.0, 0.01, 0.0, 0.6, 0.0])
    photo = photo_signal(border)
    assert photo.z.argmax() == 4 and photo.reasons[4] == "looks like a photo"
    shares = np.array([0.3, 0.25, 0.35, 0.28, 0.001, 0.32])
    coverage = coverage_signal(shares)
    assert coverage.z.argmax() == 4 and coverage.reasons[4] == "nearly empty"


def test_label_words_name_the_other_class() -> None:
    got = label_signal(np.array([0.9, 0.05, 0.4]), ["a", "b", "a"], ["a", "a", "a"])
    assert got.reasons == [
        "the classifier doubts a",
        "closer to class b",
        "the classifier doubts a",
    ]
    assert got.z.argmax() == 1


def test_statistics_signal_finds_an_unusual_mix_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    names = ("flat", "texture", "edges", "colours", "foreground", "saturation")
    base = rng.normal(size=40)
    stats = {k: base + 0.05 * rng.normal(size=40) for k in names}  # the statistics agree...
    base_7 = base.min() - 1  # ...except in image 7: lowest in all, yet with the most edges
    stats = {k: np.where(np.arange(40) == 7, base_7, v) for k, v in stats.items()}
    stats["edges"][7] = base.max() + 1
    first, again = statistics_signal(stats, seed=0), statistics_signal(stats, seed=0)
    assert first.z.tolist() == again.z.tolist() and first.z.argmax() == 7
    assert first.reasons[7].startswith("unusual image: ")


def test_class_knn_scores_find_the_image_unlike_its_class() -> None:
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1], 12)
    features = rng.normal(size=(24, 6)) + 4.0 * np.eye(6)[labels]
    features[5] = rng.normal(size=6) + 4.0 * np.eye(6)[4]
    got = class_knn_scores(features, labels, neighbours=5)
    assert got[:12].argmin() == 5 and ((got > 0) & (got <= 1)).all()
