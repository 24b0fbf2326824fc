"""ADA: p follows the overfitting heuristic, survives a save/load exactly, and the ops do what
they say, per image with probability p, differentiably."""

from __future__ import annotations

import io

import pytest
import torch

from ganpipe.params import ADA_OPS, ParamsError, TrainParams, build
from ganpipe.train.ada import Ada, ada_augment

ALL = ",".join(ADA_OPS)


def _logits(sign_mean: float, n: int = 8) -> torch.Tensor:
    """n real logits whose signs average ``sign_mean``."""
    positive = round((sign_mean + 1) / 2 * n)
    return torch.tensor([2.5] * positive + [-0.7] * (n - positive))


def test_p_rises_on_a_d_that_overfits_and_reaches_1_in_ada_kimg() -> None:
    ada = Ada(target=0.6, kimg=0.32, interval=4)  # 320 images from p = 0 to p = 1
    ps = []
    for _ in range(40):  # 40 steps of 8 real images, all judged real: r_t = 1
        ada.observe(_logits(1.0))
        ps.append(ada.p)
    assert ps[:4] == [0.0, 0.0, 0.0, pytest.approx(0.1)]  # adjusted every 4th step, by 32/320
    assert ps == sorted(ps) and ps[-1] == pytest.approx(1.0)
    for _ in range(8):
        ada.observe(_logits(1.0))
    assert ada.p == 1.0  # clamped


def test_p_falls_on_a_d_that_does_not_overfit() -> None:
    ada = Ada(target=0.6, kimg=0.32, interval=4)
    ada.load_state_dict({"p": 0.5, "signs": 0.0, "count": 0, "steps": 0})
    for _ in range(8):
        ada.observe(_logits(0.25))  # r_t = 0.25 < 0.6
    assert ada.p == pytest.approx(0.3)
    for _ in range(40):
        ada.observe(_logits(-1.0))
    assert ada.p == 0.0


def test_off_when_target_is_zero() -> None:
    ada = Ada()
    for _ in range(16):
        ada.observe(_logits(1.0))
    assert ada.p == 0.0 and ada.state_dict()["count"] == 0


def test_state_round_trip_mid_interval_continues_exactly() -> None:
    straight, first = Ada(0.6, 0.5, 3), Ada(0.6, 0.5, 3)
    g = torch.Generator().manual_seed(0)
    stream = [torch.randn(8, generator=g) + 0.8 for _ in range(30)]  # r_t near the target
    for logits in stream[:13]:  # 13: one step into an interval, its sums not yet used
        straight.observe(logits)
        first.observe(logits)
    saved = first.state_dict()
    assert saved["count"] == 8 and saved["steps"] == 13
    resumed = Ada(0.6, 0.5, 3)
    resumed.load_state_dict(torch.load(_through_disk(saved), weights_only=True))
    for logits in stream[13:]:
        straight.observe(logits)
        resumed.observe(logits)
    assert 0 < straight.p < 1 and resumed.p == straight.p  # bit for bit


def _through_disk(obj: object) -> io.BytesIO:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return buffer


def _distinct(n: int, channels: int, size: int) -> torch.Tensor:
    """Images whose pixel values are all different: a moved pixel is found by its value."""
    values = torch.randperm(n * channels * size * size, generator=torch.Generator().manual_seed(1))
    return values.float().view(n, channels, size, size) / values.numel()


def test_p_zero_is_the_identity_and_draws_nothing() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.zeros(4, 3, 8, 8)
    before = g.get_state()
    assert ada_augment(x, 0.0, ALL, g) is x and torch.equal(g.get_state(), before)


@pytest.mark.parametrize("ops", ["xflip", "rotate90", "xflip,rotate90,translation"])
def test_pixel_blitting_moves_pixels_without_blending_them(ops: str) -> None:
    x = _distinct(32, 3, 12)
    out = ada_augment(x, 1.0, ops, torch.Generator().manual_seed(0))
    assert torch.isin(out, x).all()  # every output value is an input value: no interpolation
    if ops == "xflip":
        flipped = [torch.equal(o, i.flip(-1)) for o, i in zip(out, x, strict=True)]
        kept = [torch.equal(o, i) for o, i in zip(out, x, strict=True)]
        assert all(f or k for f, k in zip(flipped, kept, strict=True))
        assert any(flipped) and any(kept)  # with p = 1, half the images flip (a coin each)
    if ops == "rotate90":
        turns = [
            next(k for k in range(4) if torch.equal(o, i.rot90(k, dims=(1, 2))))
            for o, i in zip(out, x, strict=True)
        ]
        assert set(turns) == {0, 1, 2, 3}


def test_each_op_applies_to_each_image_with_probability_p() -> None:
    x = _distinct(4000, 1, 4)
    out = ada_augment(x, 0.3, "xflip", torch.Generator().manual_seed(0))
    flipped = (out != x).flatten(1).any(1).float().mean().item()
    assert flipped == pytest.approx(0.3 / 2, abs=0.02)  # chosen with p, then a fair coin


def test_colour_keeps_a_grey_image_grey_and_is_affine_per_image() -> None:
    ramp = torch.linspace(-1, 1, 64).view(1, 1, 8, 8)  # the same grey ramp 64 times
    grey = ramp.repeat(64, 3, 1, 1)
    out = ada_augment(grey, 1.0, "color", torch.Generator().manual_seed(0))
    torch.testing.assert_close(out[:, 0], out[:, 1], rtol=0, atol=1e-5)  # hue, saturation:
    torch.testing.assert_close(out[:, 1], out[:, 2], rtol=0, atol=1e-5)  # no effect on grey
    slope = (out[:, 0, -1, -1] - out[:, 0, 0, 0]) / 2  # from the ramp's ends, -1 and 1
    offset = out[:, 0, 0, 0] + slope
    expected = slope[:, None, None] * ramp[0] + offset[:, None, None]
    torch.testing.assert_close(out[:, 0], expected, rtol=0, atol=1e-5)
    assert slope.std() > 0.1 and (slope < 0).any()  # contrast varies; luma flip inverts some


def test_colour_on_rgb_changes_hue_and_one_channel_images_take_brightness() -> None:
    rgb = torch.rand(16, 3, 6, 6, generator=torch.Generator().manual_seed(2)) * 2 - 1
    out = ada_augment(rgb, 1.0, "color", torch.Generator().manual_seed(0))
    ratio = (out - out.mean((2, 3), keepdim=True)).std((2, 3)) / rgb.std((2, 3))
    assert (ratio[:, 0] - ratio[:, 1]).abs().max() > 0.1  # channels mixed, not only scaled
    one = ada_augment(rgb[:, :1], 1.0, "color", torch.Generator().manual_seed(0))
    assert one.shape == (16, 1, 6, 6) and not torch.allclose(one, rgb[:, :1])


def test_everything_is_differentiable_and_keeps_shape_dtype_and_layout() -> None:
    x = torch.linspace(-1, 1, 8 * 3 * 16 * 16).view(8, 3, 16, 16)
    x = x.contiguous(memory_format=torch.channels_last)
    x.requires_grad_(True)
    out = ada_augment(x, 0.9, ALL, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.dtype == x.dtype
    assert out.is_contiguous(memory_format=torch.channels_last)
    out.square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    half = ada_augment(x.detach().bfloat16(), 0.9, ALL, torch.Generator().manual_seed(0))
    assert half.dtype == torch.bfloat16


def test_processes_draw_their_slice_of_the_single_process_draw() -> None:
    x = _distinct(8, 3, 12)
    whole = ada_augment(x, 0.7, ALL, torch.Generator().manual_seed(3))
    parts = [
        ada_augment(x[r * 4 : (r + 1) * 4], 0.7, ALL, torch.Generator().manual_seed(3), r, 2)
        for r in range(2)
    ]
    torch.testing.assert_close(torch.cat(parts), whole)


def test_params_check_ops_and_refuse_diffaugment_beside_ada() -> None:
    assert build(TrainParams, {"ada_target": 0.6}, "train").ada_ops.startswith("xflip")
    with pytest.raises(ParamsError, match=r"train\.ada_ops: unknown op \['blur'\]; allowed: xf"):
        build(TrainParams, {"ada_ops": "xflip,blur"}, "train")
    with pytest.raises(ParamsError, match=r"train\.ada_target: ADA and diffaugment both"):
        build(TrainParams, {"ada_target": 0.6, "diffaugment": "color"}, "train")
    with pytest.raises(ParamsError, match=r"train\.ada_target"):
        build(TrainParams, {"ada_target": 1.0}, "train")
