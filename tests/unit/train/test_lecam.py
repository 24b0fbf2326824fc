"""LeCam regularisation: the penalty by hand, its moving averages, training with it at 64 and
128 px in colour, and an interrupted run resuming to the same weights (the averages included)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from optionkit import assert_colour_steps_train, assert_resumes_exactly

from ganpipe.models import build_models
from ganpipe.params import ParamsError, TrainParams, build
from ganpipe.train.lecam import DECAY, add_anchors, anchors, lecam_penalty

TINY = TrainParams(
    g_channels=16,
    d_channels=8,
    z_dim=16,
    batch_size=4,
    total_kimg=0.032,
    tick_kimg=0.008,
    snapshot_kimg=0.032,
    ema_kimg=0.01,
    threads=1,
    d_spectral_norm=True,
    loss="hinge",
    lecam=0.3,
    d_blur=True,
    d_mbstd=True,
    diffaugment="translation,cutout",
)


def test_penalty_by_hand_and_the_averages_move() -> None:
    averages = torch.tensor([0.5, -0.5])
    real, fake = torch.tensor([1.0, -2.0]), torch.tensor([0.0, -1.0])
    got = lecam_penalty(real, fake, averages)
    a_real = DECAY * 0.5 + (1 - DECAY) * -0.5
    a_fake = DECAY * -0.5 + (1 - DECAY) * -0.5
    torch.testing.assert_close(averages, torch.tensor([a_real, a_fake]))
    expected = ((1.0 - a_fake) ** 2 + 0.0) / 2 + ((a_real - 0.0) ** 2 + (a_real + 1.0) ** 2) / 2
    assert got.item() == pytest.approx(expected, rel=1e-6)


def test_no_penalty_when_d_does_not_separate() -> None:
    averages = torch.zeros(2)
    assert lecam_penalty(torch.full((3,), -1.0), torch.full((3,), 1.0), averages).item() == 0


def test_weight_is_bounded() -> None:
    with pytest.raises(ParamsError, match=r"lecam"):
        build(TrainParams, {"lecam": -0.1}, "train")


@pytest.mark.parametrize("size", [64, 128])
def test_trains_a_few_steps_in_colour(size: int) -> None:
    torch.manual_seed(0)
    G, D = build_models(TINY, size, 3, 2)
    add_anchors(D)
    assert_colour_steps_train(G, D, TINY, size)
    assert anchors(D).abs().sum() > 0  # the averages follow D's logits


def test_interrupted_run_resumes_to_the_same_weights(
    tmp_path: Path,
    stage_factory: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stage = stage_factory(tmp_path / "stage", {"a": 6, "b": 6}, size=64, channels=3)
    assert_resumes_exactly(stage, tmp_path, TINY, monkeypatch, capsys)
