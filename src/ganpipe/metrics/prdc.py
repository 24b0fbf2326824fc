"""Precision, recall, density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity
Metrics for Generative Models").

FID mixes fidelity and diversity into one number; these split them. Precision/density measure how
much of the fake set lies on the real manifold, recall/coverage how much of the real manifold the
fakes reach. Manifolds are unions of k-nearest-neighbour balls. Distances are computed in row
blocks in float64 so 10k×10k sets fit in memory; squared distances are compared throughout.
"""

from __future__ import annotations

import numpy as np

_BLOCK = 2048


def _sq_dists(a: np.ndarray, b: np.ndarray, b_sq: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, clipped at 0 against cancellation."""
    d = (a * a).sum(axis=1)[:, None] + b_sq[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d, 0.0)


def knn_radii_sq(x: np.ndarray, k: int) -> np.ndarray:
    """Squared distance from each point to its k-th nearest *other* point in ``x``.

    Partitioning at index k skips the point itself (distance 0) as the reference code does.
    """
    if k >= len(x):
        raise ValueError(f"k={k} needs more than k points, got {len(x)}")
    x_sq = (x * x).sum(axis=1)
    out = np.empty(len(x), dtype=np.float64)
    for s in range(0, len(x), _BLOCK):
        d = _sq_dists(x[s : s + _BLOCK], x, x_sq)
        out[s : s + _BLOCK] = np.partition(d, k, axis=1)[:, k]
    return out


def prdc(real: np.ndarray, fake: np.ndarray, k: int = 3) -> dict[str, float]:
    """{"precision", "recall", "density", "coverage"} of ``fake`` against ``real`` features (N×D).

    precision: share of fakes inside some real k-NN ball. recall: share of reals inside some fake
    k-NN ball. density: mean number of real balls holding a fake, over k (≈1 when the
    distributions match). coverage: share of real balls holding at least one fake.
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"features must be N×D with equal D, got {real.shape} and {fake.shape}")
    real_r, fake_r = knn_radii_sq(real, k), knn_radii_sq(fake, k)
    real_sq = (real * real).sum(axis=1)
    in_real_ball = 0  # fakes inside >= 1 real ball
    balls_hit = 0  # sum over fakes of the number of real balls containing it
    real_nn = np.full(len(real), np.inf)  # nearest fake per real point
    real_in_fake = np.zeros(len(real), dtype=bool)
    for s in range(0, len(fake), _BLOCK):
        d = _sq_dists(fake[s : s + _BLOCK], real, real_sq)  # fakes × reals
        inside = d < real_r[None, :]
        in_real_ball += int(inside.any(axis=1).sum())
        balls_hit += int(inside.sum())
        real_nn = np.minimum(real_nn, d.min(axis=0))
        real_in_fake |= (d < fake_r[s : s + _BLOCK, None]).any(axis=0)
    return {
        "precision": in_real_ball / len(fake),
        "recall": float(real_in_fake.mean()),
        "density": balls_hit / (k * len(fake)),
        "coverage": float((real_nn < real_r).mean()),
    }
