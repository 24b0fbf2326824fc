"""Signals: robust z-scores with reference values, their words, and the sum that ranks."""

from __future__ import annotations

import numpy as np
import pytest

from ganpipe.curate.signals import (
    PHOTO_STATISTICS,
    Signal,
    calibrate,
    class_knn_scores,
    class_support,
    combine,
    coverage_signal,
    label_signal,
    photo_signal,
    photographic_signal,
    photos_majority,
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
    got = combine([a, b], fraction=0.5)
    assert got.evidence.tolist() == [25.0, 0.0, 5.0]
    assert got.strongest == ["b", "a", "b"] and got.reason == ["b0", "a1", "b2"]
    # the top half of 3 is 2 images: the cut is the second's evidence, 5
    assert got.suspicion == pytest.approx([25 / 30, 0.0, 0.5])


def test_calibrated_suspicion_is_a_half_at_the_cut_and_does_not_saturate() -> None:
    evidence = np.array([0.0, 1.0, 2.0, 4.0, 36.0, 400.0, 4000.0, 8.0, 3.0, 2.5])
    got = calibrate(evidence, 0.3)  # the top 3: 4000, 400, 36
    assert got[4] == pytest.approx(0.5) and got[5] == pytest.approx(400 / 436)
    assert got[6] < 1 and len(set(np.round(got[[4, 5, 6]], 2))) == 3
    assert calibrate(np.zeros(4), 0.1).tolist() == [0, 0, 0, 0]  # nothing found: no suspicion
    assert calibrate(np.array([0.0, 2.0]), 0.0)[1] == pytest.approx(0.5)  # at least one image


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


def graphic_stats(count: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Statistics of ``count`` flat graphics: few colours, flat, a plain border."""
    return {
        "colours": rng.integers(3, 10, count).astype(float),
        "palette": rng.uniform(0.8, 0.95, count),
        "flat": rng.uniform(0.7, 0.9, count),
        "texture": rng.uniform(0.05, 0.15, count),
        "blocks": rng.uniform(2, 4, count),
    }


def test_a_photo_among_graphics_is_out_on_most_statistics() -> None:
    stats = graphic_stats(30, np.random.default_rng(2))
    photo = {"colours": 60, "palette": 0.3, "flat": 0.3, "texture": 0.4, "blocks": 9}
    chrome = {"colours": 40, "palette": 0.5}  # a shaded badge: many colours, yet flat and plain
    for k, v in photo.items():
        stats[k][3] = v
    for k in stats:  # typical on the other three
        stats[k][7] = chrome.get(k, np.median(stats[k]))
    assert not photos_majority(stats)
    got = photographic_signal(stats)
    assert got.name == "photographic" and got.z.argmax() == 3 and got.z[3] > 5
    assert got.z[7] == pytest.approx(0, abs=0.1)  # two statistics out of five are not a photo
    assert got.reasons[3] == "looks like a photo: many colours, no dominant colours"
    # every z: the median of five robust z in the photo direction
    z = [
        d * robust_z(stats[k], PHOTO_STATISTICS[k][0])
        for k, d in zip(stats, (1, -1, -1, 1, 1), strict=True)
    ]
    assert got.z == pytest.approx(np.median(z, axis=0))


def test_among_photos_a_graphic_is_the_suspect() -> None:
    stats = graphic_stats(30, np.random.default_rng(3))
    photos = {"colours": 30.0, "palette": 0.5, "flat": 0.4, "texture": 0.35, "blocks": 8.0}
    stats = {k: stats[k] * 0.1 + photos[k] for k in stats}
    graphic = {"colours": 3, "palette": 0.95, "flat": 0.9, "texture": 0.02, "blocks": 1.5}
    for k, v in graphic.items():
        stats[k][5] = v
    assert photos_majority(stats)
    got = photographic_signal(stats)
    assert got.z.argmax() == 5 and got.reasons[5] == "looks like a flat graphic"


def test_class_support_grows_with_the_class_size() -> None:
    labels = np.repeat([0, 1, 2, 3], [11, 21, 31, 60])
    got = class_support(labels, neighbours=10)
    assert [got[labels == c][0] for c in range(4)] == pytest.approx([0.0, 0.5, 1.0, 1.0])
