"""Capped metrics take every class alike, and record what they saw."""

import numpy as np
import pytest
import torch

from ganpipe.metrics.sampling import balanced_index, seen


def test_a_cap_takes_the_same_number_from_every_class() -> None:
    labels = np.repeat([0, 1, 2], [50, 30, 20])  # sorted by class, as evaluate gets them
    picked = balanced_index(labels, 30)
    assert np.bincount(labels[picked]).tolist() == [10, 10, 10]
    assert np.all(np.diff(picked) > 0)  # sorted, no repeats


def test_a_small_class_gives_all_it_has_and_the_others_fill_the_rest() -> None:
    labels = np.repeat([0, 1], [100, 3])
    assert np.bincount(labels[balanced_index(labels, 20)]).tolist() == [17, 3]


def test_picks_are_spread_over_a_class_seeded_and_all_when_n_covers_the_set() -> None:
    labels = np.zeros(1000, dtype=np.int64)
    picked = balanced_index(labels, 10)
    assert picked.max() > 500  # not the class's first 10
    assert np.array_equal(picked, balanced_index(labels, 10))
    assert not np.array_equal(picked, balanced_index(labels, 10, seed=1))
    assert np.array_equal(balanced_index(torch.tensor([1, 0, 1]), 5), [0, 1, 2])
    with pytest.raises(ValueError, match="cannot take -1 images"):
        balanced_index(labels, -1)


def test_seen_counts_both_sides_and_the_classes_they_share() -> None:
    record = seen("m", torch.tensor([0, 1, 2, 2]), torch.tensor([1, 2]), "held-out")
    assert record == {
        "protocol/m/split": "held-out",
        "protocol/m/n_fake": 4,
        "protocol/m/n_real": 2,
        "protocol/m/classes": 2,
    }
    assert seen("m", torch.tensor([0, 1]), None, "train")["protocol/m/classes"] == 2
