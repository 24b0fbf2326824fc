"""Precision/recall/density/coverage against the reference code, identities and published values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from ganpipe.metrics.prdc import prdc


def _reference(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """clovaai/generative-evaluation-prdc's formulas, written out on full distance matrices."""
    d = cdist(real, fake)
    r_real = np.sort(cdist(real, real), axis=1)[:, k]
    r_fake = np.sort(cdist(fake, fake), axis=1)[:, k]
    inside = d < r_real[:, None]
    return {
        "precision": inside.any(axis=0).mean(),
        "recall": (d < r_fake[None, :]).any(axis=1).mean(),
        "density": inside.sum(axis=0).mean() / k,
        "coverage": (d.min(axis=1) < r_real).mean(),
    }


def test_identical_sets_score_one() -> None:
    x = np.random.default_rng(0).standard_normal((300, 16))
    out = prdc(x, x.copy(), k=3)
    assert out["precision"] == out["recall"] == out["coverage"] == 1.0


def test_disjoint_sets_score_zero() -> None:
    rng = np.random.default_rng(1)
    real, fake = rng.standard_normal((300, 16)), rng.standard_normal((300, 16)) + 100.0
    assert prdc(real, fake, k=3) == {"precision": 0, "recall": 0, "density": 0, "coverage": 0}


def test_matches_reference_formulas_with_blocks(monkeypatch) -> None:
    monkeypatch.setattr("ganpipe.metrics.prdc._BLOCK", 97)  # force several uneven blocks
    rng = np.random.default_rng(2)
    real, fake = rng.standard_normal((400, 20)), rng.standard_normal((350, 20)) * 1.2 + 0.1
    ours, ref = prdc(real, fake, k=3), _reference(real, fake, k=3)
    for key, value in ref.items():
        assert ours[key] == pytest.approx(value, abs=1e-12), key


def test_density_and_coverage_expectations_for_one_distribution() -> None:
    """Naeem et al. 2020: E[density] = 1 and E[coverage] = 1 − Π (N−i)/(N+M−i), i = 1..k."""
    n, k, runs = 500, 5, 16
    expected_cov = 1 - np.prod([(n - i) / (2 * n - i) for i in range(1, k + 1)])
    rng = np.random.default_rng(3)
    scores = [
        prdc(rng.standard_normal((n, 8)), rng.standard_normal((n, 8)), k) for _ in range(runs)
    ]
    assert np.mean([s["density"] for s in scores]) == pytest.approx(1.0, abs=0.03)
    assert np.mean([s["coverage"] for s in scores]) == pytest.approx(expected_cov, abs=0.01)


@pytest.mark.slow  # ~12 s idle on 2 cores: three 10k×10k×1000 distance products
def test_published_readme_values_on_standard_normal() -> None:
    """README of clovaai/generative-evaluation-prdc: 10k vs 10k N(0, I), d=1000, k=5 gives
    P 0.4772, R 0.4705, D 1.0555, C 0.9735 ("may fluctuate"). Seeds 0-2 here spread
    P 0.456-0.497, D 0.91-1.07, C 0.956-0.974, hence the tolerances.
    """
    rng = np.random.default_rng(0)
    real, fake = rng.standard_normal((10_000, 1000)), rng.standard_normal((10_000, 1000))
    out = prdc(real, fake, k=5)
    assert out["precision"] == pytest.approx(0.4772, abs=0.04)
    assert out["recall"] == pytest.approx(0.4705, abs=0.04)
    assert out["density"] == pytest.approx(1.0555, abs=0.2)
    assert out["coverage"] == pytest.approx(0.9735, abs=0.025)
