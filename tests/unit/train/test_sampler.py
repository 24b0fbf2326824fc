"""The sampler's label hiding (semi-supervised runs)."""

from __future__ import annotations

import torch

from ganpipe.train.losses import UNLABELLED
from ganpipe.train.sampler import hide_labels


def test_hide_labels_keeps_a_share_of_each_class_the_same_for_a_seed() -> None:
    labels = torch.tensor([0] * 40 + [1] * 20 + [2] * 3)
    hidden = hide_labels(labels, 0.25, seed=0)
    kept = hidden != UNLABELLED
    assert torch.equal(hidden[kept], labels[kept])  # labels kept are the true ones
    assert [int((hidden == c).sum()) for c in range(3)] == [10, 5, 1]  # at least one per class
    assert torch.equal(hidden, hide_labels(labels, 0.25, seed=0))
    assert not torch.equal(hidden, hide_labels(labels, 0.25, seed=1))
    assert hide_labels(labels, 1.0, seed=0) is labels
