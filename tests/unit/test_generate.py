"""The truncation trick's latents: the distribution they follow and what they keep."""

import math

import pytest
import torch

from ganpipe.generate import truncate


def truncated_normal_std(threshold: float) -> float:
    """Standard deviation of N(0, 1) truncated to [-threshold, threshold] (closed form)."""
    pdf = math.exp(-(threshold**2) / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(threshold / math.sqrt(2))
    return math.sqrt(1 - 2 * threshold * pdf / mass)


@pytest.mark.parametrize("threshold", [0.5, 1.0, 2.0])
def test_truncated_latents_follow_the_truncated_normal(threshold: float) -> None:
    z = torch.randn(4000, 32, generator=torch.Generator().manual_seed(0))
    out = truncate(z, threshold, torch.Generator().manual_seed(1))
    assert out.abs().max() <= threshold
    assert float(out.std()) == pytest.approx(truncated_normal_std(threshold), rel=0.01)
    assert float(out.mean()) == pytest.approx(0.0, abs=0.01)


def test_components_inside_the_threshold_are_kept_and_z_is_not_changed() -> None:
    z = torch.randn(200, 16, generator=torch.Generator().manual_seed(0))
    before = z.clone()
    out = truncate(z, 1.0, torch.Generator().manual_seed(1))
    inside = z.abs() <= 1.0
    assert torch.equal(out[inside], z[inside]) and not torch.equal(out, z)
    assert torch.equal(z, before)


def test_zero_is_off_and_draws_nothing() -> None:
    z = torch.randn(10, 8)
    g = torch.Generator().manual_seed(3)
    assert truncate(z, 0.0, g) is z
    assert torch.equal(
        torch.randn(4, generator=g), torch.randn(4, generator=torch.Generator().manual_seed(3))
    )


def test_the_smallest_threshold_allowed_ends() -> None:
    z = torch.randn(50, 100, generator=torch.Generator().manual_seed(0))
    assert truncate(z, 0.1, torch.Generator().manual_seed(1)).abs().max() <= 0.1
