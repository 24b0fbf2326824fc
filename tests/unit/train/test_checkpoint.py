"""The resume hash and the pickle-free RNG state."""

from __future__ import annotations

import dataclasses
import io
import random
from pathlib import Path

import numpy as np
import pytest
import torch

from ganpipe.params import TrainParams
from ganpipe.train.checkpoint import (
    load_for_resume,
    params_hash,
    rng_state,
    save_atomic,
    set_rng_state,
)


def test_hash_of_runs_made_before_new_keys_is_unchanged() -> None:
    # Values computed by the version before d_head, sync_batchnorm and ema_rampup existed.
    # the EMA as it was then, and G's step on a second G forward (train.reuse_fakes: false)
    before = TrainParams(ema_rampup=0.0, reuse_fakes=False)
    assert params_hash(before, "fp") == "ad1d638a3ba164e3"
    hinge = dataclasses.replace(before, loss="hinge", batch_size=32)
    assert params_hash(hinge, "fp") == "1b16698f410b616a"
    assert params_hash(dataclasses.replace(before, d_head="ssl"), "fp") != "ad1d638a3ba164e3"
    fast = dataclasses.replace(before, compile=True, threads=2)
    assert params_hash(fast, "fp") == "ad1d638a3ba164e3"
    reused = dataclasses.replace(before, reuse_fakes=True)  # today's default trains otherwise
    assert params_hash(reused, "fp") != "ad1d638a3ba164e3"


def test_a_key_whose_default_changes_the_result_changes_the_hash() -> None:
    assert params_hash(TrainParams(), "fp") != params_hash(TrainParams(ema_rampup=0.0), "fp")


def test_rng_state_round_trips_through_weights_only_load() -> None:
    random.seed(1)
    np.random.seed(2)
    torch.manual_seed(3)
    np.random.standard_normal()  # leaves a cached Gaussian in NumPy's state
    buffer = io.BytesIO()
    torch.save(rng_state(), buffer)
    expected = (random.random(), np.random.standard_normal(), np.random.rand(), torch.rand(2))
    buffer.seek(0)
    set_rng_state(torch.load(buffer, weights_only=True))
    got = (random.random(), np.random.standard_normal(), np.random.rand(), torch.rand(2))
    assert got[:3] == expected[:3] and torch.equal(got[3], expected[3])


def test_a_checkpoint_without_a_state_key_starts_fresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "checkpoint.pt"
    save_atomic({"params_hash": "h", "cur_nimg": 8, "train_seconds": 1.0}, path)
    p = TrainParams(total_kimg=1)
    assert load_for_resume(path, "h", p, ["params_hash", "cur_nimg", "train_seconds"])
    assert load_for_resume(path, "h", p, ["params_hash", "cur_nimg", "ada_p"]) is None
    assert "has no ada_p (an older version); starting fresh" in capsys.readouterr().out
