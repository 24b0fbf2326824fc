"""SSIM / MS-SSIM against an independent scipy implementation and closed forms."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from ganpipe.metrics.diversity import (
    MS_SSIM_WEIGHTS,
    mean_pairwise_similarity,
    ms_ssim,
    ms_ssim_scales,
    nearest_real_ssim,
    ssim,
)

C1, C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2


def _scipy_ssim_cs(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """skimage-style SSIM (gaussian_weights, sigma 1.5, no sample-cov correction) on one channel:
    filter the whole image, then crop the 5-pixel border, i.e. keep the valid region."""
    f = lambda a: gaussian_filter(a, 1.5, truncate=3.5)[5:-5, 5:-5]  # noqa: E731
    mx, my = f(x), f(y)
    vx, vy, cov = f(x * x) - mx**2, f(y * y) - my**2, f(x * y) - mx * my
    cs = (2 * cov + C2) / (vx + vy + C2)
    lum = (2 * mx * my + C1) / (mx**2 + my**2 + C1)
    return float((lum * cs).mean()), float(cs.mean())


def _scipy_ms_ssim(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    out = 1.0
    for m, w in enumerate(weights):
        s, cs = _scipy_ssim_cs(x, y)
        out *= max(s if m == len(weights) - 1 else cs, 0.0) ** w
        h, v = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
        x = x[:h, :v].reshape(h // 2, 2, v // 2, 2).mean(axis=(1, 3))
        y = y[:h, :v].reshape(h // 2, 2, v // 2, 2).mean(axis=(1, 3))
    return out


def _images(seed: int, n: int, size: int, channels: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, channels, size, size), generator=g, dtype=torch.uint8)


def _smooth_image(size: int) -> torch.Tensor:
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    img = 127.5 + 100 * torch.sin(xx / 4.0) * torch.cos(yy / 5.0)
    return img.round().to(torch.uint8)[None, None]


def test_ssim_of_identical_images_is_one() -> None:
    x = _images(0, 4, 28, channels=3)
    torch.testing.assert_close(ssim(x, x), torch.ones(4, dtype=torch.float64))
    torch.testing.assert_close(ms_ssim(x, x), torch.ones(4, dtype=torch.float64))


def test_ssim_matches_scipy_reference() -> None:
    x, y = _images(1, 3, 28), _images(2, 3, 28)
    y = ((x.double() + y.double()) / 2).to(torch.uint8)  # correlated pairs
    expected = [
        _scipy_ssim_cs(a[0].double().numpy(), b[0].double().numpy())[0]
        for a, b in zip(x, y, strict=True)
    ]
    np.testing.assert_allclose(ssim(x, y).numpy(), expected, rtol=1e-10)


def test_ssim_decreases_with_noise() -> None:
    x = _smooth_image(32)
    g = torch.Generator().manual_seed(3)
    noise = torch.randn(x.shape, generator=g, dtype=torch.float64)
    scores = [
        float(ssim(x, (x.double() + s * noise).clamp(0, 255).round().to(torch.uint8)))
        for s in (0, 5, 15, 40, 100)
    ]
    assert scores[0] == pytest.approx(1.0)
    assert all(a > b for a, b in itertools.pairwise(scores)), scores


@pytest.mark.parametrize(
    ("size", "scales"), [(11, 1), (21, 1), (22, 2), (28, 2), (64, 3), (176, 5)]
)
def test_scale_rule(size: int, scales: int) -> None:
    assert ms_ssim_scales(size, size + 50) == scales


def test_ms_ssim_matches_scipy_reference_two_and_five_scales() -> None:
    for size in (28, 180):
        x = _smooth_image(size)
        y = x.double() + 30 * torch.randn(x.shape, generator=torch.Generator().manual_seed(4))
        y = y.clamp(0, 255).round().to(torch.uint8)
        m = ms_ssim_scales(size, size)
        w = np.array(MS_SSIM_WEIGHTS[:m]) / (sum(MS_SSIM_WEIGHTS[:m]) if m < 5 else 1.0)
        expected = _scipy_ms_ssim(x[0, 0].double().numpy(), y[0, 0].double().numpy(), w)
        assert float(ms_ssim(x, y)) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("size", [28, 176])
def test_ms_ssim_constant_images_closed_form(size: int) -> None:
    """Flat images: every contrast-structure term is 1, so MS-SSIM = luminance^(last weight)."""
    a, b = 100, 150
    x = torch.full((1, 1, size, size), a, dtype=torch.uint8)
    y = torch.full((1, 1, size, size), b, dtype=torch.uint8)
    lum = (2 * a * b + C1) / (a**2 + b**2 + C1)
    m = ms_ssim_scales(size, size)
    last = MS_SSIM_WEIGHTS[m - 1] / (sum(MS_SSIM_WEIGHTS[:m]) if m < 5 else 1.0)
    assert float(ms_ssim(x, y)) == pytest.approx(lum**last, rel=1e-12)
    assert float(ssim(x, y)) == pytest.approx(lum, rel=1e-12)


def test_pairwise_similarity_separates_collapsed_from_diverse() -> None:
    diverse = _images(5, 50, 28)
    collapsed = _smooth_image(28).expand(50, -1, -1, -1).clone()
    collapsed[::2] = (collapsed[::2].int() + 3).clamp(0, 255).to(torch.uint8)
    high = mean_pairwise_similarity(collapsed, n_pairs=200, seed=0)
    low = mean_pairwise_similarity(diverse, n_pairs=200, seed=0)
    assert high > 0.9
    assert low < 0.1
    assert low == mean_pairwise_similarity(diverse, n_pairs=200, seed=0)


def test_pairwise_similarity_needs_two_images() -> None:
    with pytest.raises(ValueError, match=">= 2 images"):
        mean_pairwise_similarity(_images(0, 1, 28), n_pairs=5)


def test_nearest_real_ssim_finds_memorised_copy() -> None:
    real = _images(6, 40, 28)
    fake = torch.cat([real[7:8], _images(7, 3, 28)])
    exact_v, exact_i = nearest_real_ssim(fake, real, candidates=None)
    fast_v, fast_i = nearest_real_ssim(fake, real, candidates=4)
    assert exact_v[0] == pytest.approx(1.0) and int(exact_i[0]) == 7
    assert fast_v[0] == pytest.approx(1.0) and int(fast_i[0]) == 7
    assert bool((exact_v[1:] < 0.2).all())
    assert bool((fast_v <= exact_v + 1e-12).all())  # the prefilter can only miss, never invent


def test_float_images_need_data_range() -> None:
    x = torch.rand(2, 1, 28, 28)
    with pytest.raises(ValueError, match="data_range"):
        ssim(x, x)
    assert float(ssim(x, x, data_range=1.0).mean()) == pytest.approx(1.0)
    assert math.isfinite(float(ms_ssim(x, x * 0.5, data_range=1.0).mean()))
