"""An interrupted training run must resume to the uninterrupted run's weights: the check the
tests of every training option share."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganpipe.params import TrainParams
from ganpipe.train import ema as ema_module
from ganpipe.train import loop as loop_module
from ganpipe.train.loop import training_loop
from ganpipe.train.run import TrainPaths


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
