"""D's anti-aliasing blur and minibatch standard deviation: what they compute, and that D
built with them takes 64 and 128 px colour images."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from ganpipe.models import build_models
from ganpipe.models.layers import Blur, MinibatchStd
from ganpipe.params import ParamsError, TrainParams, build

TINY = TrainParams(g_channels=16, d_channels=8, z_dim=8, d_spectral_norm=True)


def test_blur_is_the_binomial_filter_per_channel() -> None:
    impulse = torch.zeros(1, 2, 5, 5)
    impulse[0, 1, 2, 2] = 1.0
    out = Blur(2)(impulse)
    expected = torch.tensor([[1.0, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
    torch.testing.assert_close(out[0, 1, 1:4, 1:4], expected)
    assert out[0, 0].abs().max() == 0  # channels stay apart
    assert out.sum().item() == pytest.approx(1.0)  # a low-pass: flat regions keep their value


def test_blur_removes_a_checkerboard() -> None:
    board = (torch.arange(8)[:, None] + torch.arange(8)[None, :]) % 2 * 2.0 - 1
    out = Blur(1)(board[None, None])
    assert out[0, 0, 1:-1, 1:-1].abs().max() == 0  # the pixel-pitch pattern is gone inside


def test_minibatch_std_by_hand() -> None:
    x = torch.randn(8, 3, 2, 2)
    out = MinibatchStd(group=4)(x)
    assert out.shape == (8, 4, 2, 2)
    torch.testing.assert_close(out[:, :3], x)
    for g in range(2):  # consecutive groups of four
        group = x[4 * g : 4 * g + 4]
        expected = group.var(dim=0, unbiased=False).add(1e-8).sqrt().mean()
        torch.testing.assert_close(out[4 * g : 4 * g + 4, 3], expected.expand(4, 2, 2))


def test_minibatch_std_groups_never_mix_real_and_fake() -> None:
    real, fake = torch.randn(8, 2, 1, 1), torch.zeros(8, 2, 1, 1)  # collapsed fakes
    out = MinibatchStd()(torch.cat([real, fake]))
    assert out[8:, 2].abs().max() < 1e-3 < out[:8, 2].min()


@pytest.mark.parametrize("size", [64, 128])
@pytest.mark.parametrize("option", ["d_blur", "d_mbstd"])
def test_d_with_the_option_scores_colour_images(size: int, option: str) -> None:
    torch.manual_seed(0)
    G, D = build_models(dataclasses.replace(TINY, **{option: True}), size, 3, 3)
    _, plain = build_models(TINY, size, 3, 3)
    x = G(torch.randn(4, 8), torch.tensor([0, 1, 2, 0]))
    assert D(x, torch.tensor([0, 1, 2, 0])).adv.shape == (4,)
    layer = {"d_blur": Blur, "d_mbstd": MinibatchStd}[option]
    assert any(isinstance(m, layer) for m in D.modules())
    assert not any(isinstance(m, Blur | MinibatchStd) for m in plain.modules())


@pytest.mark.parametrize("option", ["d_blur", "d_mbstd"])
def test_options_are_refused_outside_the_dcgan_d(option: str) -> None:
    with pytest.raises(ParamsError, match=rf"{option}.*arch 'dcgan'"):
        build(TrainParams, {"arch": "resnet", option: True}, "train")
