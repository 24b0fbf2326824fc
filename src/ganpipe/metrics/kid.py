"""Kernel Inception Distance: unbiased MMD², cubic polynomial kernel (Binkowski et al. 2018).

Unlike FID it is unbiased in the sample size, so scores from different n can be compared, and its
spread over subsets gives an honest error bar. torch-fidelity computes it (kernel (xᵀy/d + 1)³,
subsets drawn without replacement with ``np.random.RandomState(seed)``, real first), so the same
seed gives the number torch-fidelity reports on the same features.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_fidelity.metric_kid import (
    KEY_METRIC_KID_MEAN,
    KEY_METRIC_KID_STD,
    kid_features_to_metric,
)


def kernel_inception_distance(
    real: np.ndarray,
    fake: np.ndarray,
    subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 2020,
) -> tuple[float, float]:
    """Mean and std (ddof=0) of MMD² over ``subsets`` random subsets of both feature sets.

    ``subset_size`` is clipped to the smaller sample, so small evaluations still run (with a
    larger spread, which the std reports) instead of failing as torch-fidelity would.
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"features must be N×D with equal D, got {real.shape} and {fake.shape}")
    size = min(subset_size, len(real), len(fake))
    if size < 2 or subsets < 1:
        raise ValueError(f"need subset size >= 2 and subsets >= 1, got {size} and {subsets}")
    result = kid_features_to_metric(
        torch.from_numpy(real),
        torch.from_numpy(fake),
        kid_subsets=subsets,
        kid_subset_size=size,
        rng_seed=seed,
        verbose=False,
    )
    return float(result[KEY_METRIC_KID_MEAN]), float(result[KEY_METRIC_KID_STD])
