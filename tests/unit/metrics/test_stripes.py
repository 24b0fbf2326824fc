"""The stripe statistic on synthetic images whose stripes are known."""

import math

import pytest
import torch

from ganpipe.metrics.stripes import stripe_ratios, stripe_statistic

SIZE = 28


def blobs(n: int, seed: int = 0) -> torch.Tensor:
    """Smooth isotropic images: upsampled noise, as much detail one way as the other."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, 1, 7, 7, generator=g)
    return torch.nn.functional.interpolate(coarse, size=SIZE, mode="bicubic")


def rows_alternating(period: float) -> torch.Tensor:
    """(1, 1, H, W): every row constant, the rows a cosine of ``period`` pixels."""
    y = torch.arange(SIZE, dtype=torch.float64)
    return torch.cos(2 * math.pi * y / period)[:, None].expand(SIZE, SIZE)[None, None]


def test_clean_images_score_near_one_and_striped_ones_far_above() -> None:
    clean = blobs(200)
    striped = clean + 0.3 * rows_alternating(2.5).float()
    assert stripe_statistic(clean) == pytest.approx(1.0, rel=0.15)
    assert stripe_statistic(striped) > 10 * stripe_statistic(clean)


def test_vertical_stripes_score_below_one_by_symmetry() -> None:
    striped = blobs(50) + 0.3 * rows_alternating(2.5).float()
    transposed = striped.transpose(2, 3)
    assert stripe_statistic(transposed) == pytest.approx(1 / stripe_statistic(striped), rel=1e-6)


def test_low_frequency_rows_are_not_stripes() -> None:
    """A slow vertical gradient (period 14 px, below the cutoff) adds no high-frequency power."""
    assert stripe_ratios(rows_alternating(14.0) + blobs(1).double()).item() < 2.0
    assert stripe_ratios(rows_alternating(2.5)).item() > 1e3


def test_flat_image_scores_one_and_dtype_does_not_matter() -> None:
    assert stripe_ratios(torch.full((1, 3, 8, 8), 7, dtype=torch.uint8)).item() == 1.0
    images = (blobs(10).clamp(0, 1) * 255).round()
    assert stripe_statistic(images.to(torch.uint8)) == pytest.approx(
        stripe_statistic(images / 127.5 - 1), rel=1e-6
    )


def test_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        stripe_ratios(torch.zeros(4, 28, 28))
