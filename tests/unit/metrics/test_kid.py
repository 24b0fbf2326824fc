"""KID: ≈0 for one distribution, clearly positive for a shift, the unbiased estimator by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganpipe.metrics.kid import kernel_inception_distance


def test_same_distribution_is_near_zero() -> None:
    rng = np.random.default_rng(0)
    real, fake = rng.standard_normal((1000, 64)), rng.standard_normal((1000, 64))
    mean, std = kernel_inception_distance(real, fake, subsets=20, subset_size=500, seed=0)
    assert abs(mean) < 3 * std + 1e-3
    assert abs(mean) < 5e-3


def test_shifted_distribution_is_clearly_positive() -> None:
    rng = np.random.default_rng(1)
    real, fake = rng.standard_normal((1000, 64)), rng.standard_normal((1000, 64)) + 0.5
    mean, std = kernel_inception_distance(real, fake, subsets=20, subset_size=500, seed=0)
    assert mean > 0.1
    assert mean > 20 * std


def test_unbiased_estimator_by_hand() -> None:
    """One subset of all (both) images: MMD² does not depend on the order they are drawn in."""
    x, y = np.array([[0.0], [1.0]]), np.array([[2.0], [3.0]])
    k = lambda a, b: (a * b + 1.0) ** 3  # noqa: E731  d = 1
    within = (2 * k(0, 1) + 2 * k(2, 3)) / 2
    cross = sum(k(a, b) for a in (0, 1) for b in (2, 3)) / 4
    mean, std = kernel_inception_distance(x, y, subsets=1, subset_size=2)
    assert mean == pytest.approx(within - 2 * cross)
    assert std == 0.0


def test_subset_size_is_clipped_to_smaller_sample() -> None:
    rng = np.random.default_rng(2)
    mean, _ = kernel_inception_distance(rng.normal(size=(30, 8)), rng.normal(size=(50, 8)), 5, 1000)
    assert np.isfinite(mean)


def test_matches_torch_fidelity_bit_for_bit() -> None:
    """The seed and the subset size reach torch-fidelity as given."""
    from torch_fidelity import metric_kid

    rng = np.random.default_rng(3)
    real, fake = rng.standard_normal((300, 32)), rng.standard_normal((250, 32)) + 0.2
    ours = kernel_inception_distance(real, fake, subsets=10, subset_size=100, seed=123)
    theirs = metric_kid.kid_features_to_metric(
        torch.from_numpy(real),
        torch.from_numpy(fake),
        kid_subsets=10,
        kid_subset_size=100,
        rng_seed=123,
        verbose=False,
    )
    assert ours[0] == pytest.approx(theirs["kernel_inception_distance_mean"], rel=1e-10)
    assert ours[1] == pytest.approx(theirs["kernel_inception_distance_std"], rel=1e-8)
