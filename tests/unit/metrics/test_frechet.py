"""Fréchet distance against closed-form reference values and scipy.linalg.sqrtm."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from ganpipe.metrics.frechet import content_hash, feature_statistics, frechet_distance


def _random_spd(rng: np.random.Generator, d: int, n: int | None = None) -> np.ndarray:
    a = rng.standard_normal((n or 2 * d, d))
    return a.T @ a / len(a)


def _sqrtm_fd(mu1, s1, mu2, s2) -> float:
    """The pytorch-fid/TTUR formula, independent of the eigenvalue method."""
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1 + s2 - 2 * covmean))


def test_same_features_give_zero() -> None:
    x = np.random.default_rng(0).standard_normal((500, 32))
    stats = feature_statistics(x)
    assert frechet_distance(*stats, *stats) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("d", [1, 16, 256])
def test_unit_mean_shift_identity_covariance_gives_d(d: int) -> None:
    eye = np.eye(d)
    assert frechet_distance(np.zeros(d), eye, np.ones(d), eye) == pytest.approx(d, rel=1e-12)


def test_diagonal_covariances_closed_form() -> None:
    rng = np.random.default_rng(1)
    d = 64
    mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d)
    a, b = rng.uniform(0.1, 5.0, d), rng.uniform(0.1, 5.0, d)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_eigen_method_agrees_with_sqrtm(seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = 50
    mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d)
    s1, s2 = _random_spd(rng, d), _random_spd(rng, d)
    expected = _sqrtm_fd(mu1, s1, mu2, s2)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_singular_covariance_fewer_samples_than_dims() -> None:
    """Rank-deficient Σ (n < d) takes the eigen-root fallback and still matches sqrtm."""
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((20, 40)), rng.standard_normal((30, 40)) + 0.5
    (mu1, s1), (mu2, s2) = feature_statistics(x), feature_statistics(y)
    expected = _sqrtm_fd(mu1, s1, mu2, s2)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-6)


def test_statistics_are_float64_and_unbiased() -> None:
    x = np.random.default_rng(2).standard_normal((100, 8)).astype(np.float32)
    mu, sigma = feature_statistics(x)
    assert mu.dtype == sigma.dtype == np.float64
    np.testing.assert_allclose(sigma, np.cov(x.astype(np.float64), rowvar=False), rtol=1e-12)


def test_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="shape mismatch"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_content_hash_changes_with_data_shape_and_names() -> None:
    x = np.zeros((2, 2))
    assert content_hash(x) != content_hash(x + 1) != content_hash(x.reshape(4))
    assert content_hash(x, "extractor-v1") != content_hash(x, "extractor-v2")
