"""FastGAN's generator blocks: what they compute, that they train at 64 and 128 px in colour,
and that an interrupted run with them resumes to the uninterrupted run's weights."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from optionkit import assert_colour_steps_train, assert_resumes_exactly

from ganpipe.models import build_models
from ganpipe.models.fastgan import SkipExcitation, excitation_sources
from ganpipe.params import ParamsError, TrainParams, build
from ganpipe.train.step import Nets, discriminator_step, generator_step

FASTGAN = {"g_skip_excite": True, "g_glu": True, "upsample": "bilinear"}
TINY = TrainParams(
    g_channels=32,
    d_channels=8,
    z_dim=16,
    batch_size=4,
    total_kimg=0.016,
    tick_kimg=0.008,
    snapshot_kimg=0.016,
    ema_kimg=0.01,
    threads=1,
    d_spectral_norm=True,
    loss="hinge",
)


def test_excitation_gates_each_map_from_three_doublings_below() -> None:
    assert excitation_sources(5) == {3: 0, 4: 1}  # 64 px: maps 4, 8, 16, 32, 64 px
    assert excitation_sources(6) == {3: 0, 4: 1, 5: 2}  # 128 px
    assert excitation_sources(3) == {}  # 28 px: too shallow for a skip


def test_skip_excitation_is_a_sigmoid_gate_per_channel_by_hand() -> None:
    se = SkipExcitation(2, 3)
    low, high = torch.randn(2, 2, 8, 8), torch.randn(2, 3, 32, 32)
    pooled = torch.nn.functional.avg_pool2d(low, 2)  # 8x8 -> 4x4, as the adaptive pool
    conv, conv1 = se.gate[1], se.gate[3]
    hidden = torch.nn.functional.silu(torch.einsum("nchw,ochw->no", pooled, conv.weight))
    gate = torch.sigmoid(hidden @ conv1.weight[:, :, 0, 0].t())
    torch.testing.assert_close(se(low, high), high * gate[:, :, None, None])


def test_glu_doubles_the_convolutions_and_gates_half() -> None:
    plain, _ = build_models(TrainParams(g_channels=32), 64, 3, 2)
    gated, _ = build_models(TrainParams(g_channels=32, g_glu=True), 64, 3, 2)
    assert gated.blocks[0].conv.out_channels == 2 * plain.blocks[0].conv.out_channels
    x, y = torch.randn(3, 32, 4, 4), torch.tensor([0, 1, 1])
    block = gated.blocks[0].train()
    h = block.norm(block.conv(x), y)
    half = h.shape[1] // 2
    torch.testing.assert_close(block(x, y), h[:, :half] * torch.sigmoid(h[:, half:]))


@pytest.mark.parametrize("size", [64, 128])
@pytest.mark.parametrize(
    "option", [{"g_skip_excite": True}, {"g_glu": True}, FASTGAN], ids=["sle", "glu", "both"]
)
def test_options_build_and_change_g(size: int, option: dict) -> None:
    torch.manual_seed(0)
    G, D = build_models(dataclasses.replace(TINY, **option), size, 3, 3)
    x = G(torch.randn(2, 16), torch.tensor([0, 2]))
    assert x.shape == (2, 3, size, size) and x.abs().max() <= 1
    assert D(x, torch.tensor([0, 2])).adv.shape == (2,)
    plain = sum(t.numel() for t in build_models(TINY, size, 3, 3)[0].parameters())
    assert sum(t.numel() for t in G.parameters()) > plain


def test_options_are_refused_outside_the_dcgan_g() -> None:
    with pytest.raises(ParamsError, match=r"g_skip_excite.*arch 'dcgan'"):
        build(TrainParams, {"arch": "resnet", "g_skip_excite": True}, "train")
    with pytest.raises(ParamsError, match=r"g_glu.*arch 'dcgan'"):
        build(TrainParams, {"arch": "seed-emnist", "g_glu": True}, "train")


@pytest.mark.parametrize("size", [64, 128])
def test_trains_a_few_steps_in_colour(size: int) -> None:
    """Adam steps of D and G on real-looking colour batches: finite losses, every G weight
    moves (the gates and the GLU halves get gradients)."""
    p = dataclasses.replace(TINY, **FASTGAN, g_channels=16)
    torch.manual_seed(0)
    G, D = build_models(p, size, 3, 2)
    before = [t.clone() for t in G.parameters()]
    assert_colour_steps_train(G, D, p, size)
    assert all(not torch.equal(a, b) for a, b in zip(before, G.parameters(), strict=True))


def test_interrupted_run_resumes_to_the_same_weights(
    tmp_path: Path,
    stage_factory: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stage = stage_factory(tmp_path / "stage", {"a": 6, "b": 6}, size=64, channels=3)
    p = dataclasses.replace(
        TINY, **FASTGAN, g_channels=16, total_kimg=0.032, snapshot_kimg=0.032, diffaugment="color"
    )
    assert_resumes_exactly(stage, tmp_path, p, monkeypatch, capsys)
