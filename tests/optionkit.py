"""The checks the tests of every training option share: a few steps in colour train with finite
losses, and an interrupted run resumes to the uninterrupted run's weights."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import torch

from ganpipe.params import TrainParams
from ganpipe.train import ema as ema_module
from ganpipe.train import loop as loop_module
from ganpipe.train.loop import training_loop
from ganpipe.train.run import TrainPaths
from ganpipe.train.step import Nets, discriminator_step, generator_step


def assert_colour_steps_train(
    G: torch.nn.Module, D: torch.nn.Module, p: TrainParams, size: int
) -> None:
    """Three Adam steps of D and G (built for ``size`` px RGB and 2 classes) on real-looking
    colour batches, without augmentation or autocast: every loss finite."""
    nets = Nets(G, D, D, torch.optim.Adam(G.parameters()), torch.optim.Adam(D.parameters()))
    real, y = torch.rand(4, 3, size, size) * 2 - 1, torch.tensor([0, 1, 0, 1])
    none = contextlib.nullcontext()
    for _ in range(3):
        z = torch.randn(4, p.z_dim)
        d = discriminator_step(nets, real, y, z, y, p, lambda x: x, none)
        loss_g, _ = generator_step(nets, z, y, real, p, lambda x: x, none, none)
        assert torch.isfinite(d.loss) and torch.isfinite(loss_g)


def train(stage: Path, out: Path, p: TrainParams) -> dict:
    return training_loop(TrainPaths.in_folder(stage, out), p, holdout=0.2)


def assert_resumes_exactly(
    stage: Path,
    out: Path,
    p: TrainParams,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Train ``p`` straight through, and again with Ctrl-C before the third step and a rerun;
    both exported generators must be equal tensor for tensor."""
    monkeypatch.setattr(ema_module, "SETTLE_IMAGES", 512)  # standing statistics: fewer images
    train(stage, out / "straight", p)
    step, calls = loop_module.step, []

    def interrupted(run: loop_module.Run, nets: loop_module.Nets) -> None:
        calls.append(1)
        if len(calls) == 3:  # Ctrl-C between steps: the loop saves the state first
            raise KeyboardInterrupt
        step(run, nets)

    monkeypatch.setattr(loop_module, "step", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train(stage, out / "killed", p)
    monkeypatch.setattr(loop_module, "step", step)
    train(stage, out / "killed", p)
    assert "resuming from" in capsys.readouterr().out
    a, b = (
        torch.load(run / "models" / "generator.pt", weights_only=True)["state_dict"]
        for run in (out / "straight", out / "killed")
    )
    assert all(torch.equal(a[k], b[k]) for k in a)
