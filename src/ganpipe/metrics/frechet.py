"""Fréchet distance between Gaussian fits of two feature sets (FID without the extractor).

Statistics and distance are separate from feature extraction so that any extractor (InceptionV3,
the domain classifier) shares one audited implementation; :func:`content_hash` keys the
Inception real features' cache (inception.py). Everything is float64: float32 covariances of
2048-d features lose enough precision to move FID in the first decimal.
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.linalg
from scipy.linalg.blas import dtrmm

Statistics = tuple[np.ndarray, np.ndarray]


def feature_statistics(features: np.ndarray) -> Statistics:
    """Mean and unbiased covariance (ddof=1, as TTUR/torch-fidelity) of ``features`` (N×D)."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"features must be N×D with N >= 2, got shape {x.shape}")
    mu = x.mean(axis=0)
    centred = x - mu
    sigma = centred.T @ centred / (x.shape[0] - 1)
    return mu, sigma


def _psd_factor(sigma: np.ndarray) -> tuple[np.ndarray, bool]:
    """(F, F is lower-triangular) with F Fᵀ = sigma: Cholesky when positive definite, else the
    symmetric root.

    Cholesky is ~3× cheaper than an eigendecomposition; singular covariances (fewer samples than
    dimensions, dead ReLU units) fall back to the clipped eigen square root.
    """
    try:
        return scipy.linalg.cholesky(sigma, lower=True, check_finite=False), True
    except np.linalg.LinAlgError:
        w, v = scipy.linalg.eigh(sigma, check_finite=False, driver="evd")
        return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T, False


def _congruence(f: np.ndarray, sigma: np.ndarray, lower: bool) -> np.ndarray:
    """Fᵀ Σ F, with triangular BLAS products (half the flops) when F is lower-triangular."""
    if not lower:
        return f.T @ sigma @ f
    sf = dtrmm(1.0, f, sigma, side=1, lower=1)  # Σ F
    return dtrmm(1.0, f, sf, side=0, lower=1, trans_a=1)  # Fᵀ (Σ F)


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """tr √(Σ₁Σ₂) from the eigenvalues of Fᵀ Σ₂ F, where F Fᵀ = Σ₁.

    Fᵀ Σ₂ F is symmetric PSD and similar to Σ₁Σ₂, so its eigenvalues are those of Σ₁Σ₂ but come
    from a stable symmetric solver; tiny negative round-off is clipped before the square root.
    This avoids ``scipy.linalg.sqrtm`` (slow, and complex output on near-singular inputs).
    """
    f, lower = _psd_factor(_symmetrise(sigma1))
    m = _symmetrise(_congruence(f, _symmetrise(sigma2), lower))
    eigenvalues = scipy.linalg.eigvalsh(m, check_finite=False, overwrite_a=True, driver="evd")
    return float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray
) -> float:
    """‖μ₁−μ₂‖² + tr(Σ₁ + Σ₂ − 2√(Σ₁Σ₂)), clipped at 0 against round-off."""
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    _check_shapes(mu1, sigma1, mu2, sigma2)
    diff = mu1 - mu2
    trace = np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt_product(sigma1, sigma2)
    return max(float(diff @ diff + trace), 0.0)


def _symmetrise(a: np.ndarray) -> np.ndarray:
    return (a + a.T) / 2.0


def _check_shapes(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> None:
    d = mu1.shape[0] if mu1.ndim == 1 else -1
    if mu1.shape != (d,) or mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"shape mismatch: mu1 {mu1.shape}, sigma1 {sigma1.shape}, "
            f"mu2 {mu2.shape}, sigma2 {sigma2.shape}"
        )


def content_hash(*arrays: np.ndarray | bytes | str) -> str:
    """SHA-256 over dtype, shape and bytes of each part: a cache key that changes with the data."""
    h = hashlib.sha256()
    for part in arrays:
        if isinstance(part, str):
            part = part.encode()
        if isinstance(part, bytes):
            h.update(b"bytes:%d:" % len(part) + part)
            continue
        a = np.ascontiguousarray(part)
        h.update(f"array:{a.dtype.str}:{a.shape}:".encode())
        h.update(a.tobytes())
    return h.hexdigest()
