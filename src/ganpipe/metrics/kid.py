"""Kernel Inception Distance: unbiased MMD², cubic polynomial kernel (Binkowski et al. 2018).

Unlike FID it is unbiased in the sample size, so scores from different n can be compared, and its
spread over subsets gives an honest error bar. The protocol (kernel (xᵀy/d + 1)³, unbiased
estimator, subsets drawn without replacement with ``np.random.RandomState(seed)``, real first)
matches torch-fidelity, so the same seed gives the same number on the same features.
"""

from __future__ import annotations

import numpy as np


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(xᵀy / d + 1)³, the KID kernel: scale-free in the feature dimension d."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² of two equal-size samples: within-set sums drop the diagonal."""
    m = x.shape[0]
    k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / (m * m))


def kernel_inception_distance(
    real: np.ndarray,
    fake: np.ndarray,
    subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 2020,
) -> tuple[float, float]:
    """Mean and std (ddof=0) of MMD² over ``subsets`` random subsets of both feature sets.

    ``subset_size`` is clipped to the smaller sample, so small evaluations still run (with a
    larger spread, which the std reports) instead of failing.
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"features must be N×D with equal D, got {real.shape} and {fake.shape}")
    size = min(subset_size, len(real), len(fake))
    if size < 2 or subsets < 1:
        raise ValueError(f"need subset size >= 2 and subsets >= 1, got {size} and {subsets}")
    rng = np.random.RandomState(seed)
    mmds = np.empty(subsets, dtype=np.float64)
    for i in range(subsets):
        r = real[rng.choice(len(real), size, replace=False)]
        f = fake[rng.choice(len(fake), size, replace=False)]
        mmds[i] = mmd2_unbiased(r, f)
    return float(mmds.mean()), float(mmds.std())
