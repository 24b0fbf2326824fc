"""torchrun + DDP: the real stage script in 2 CPU processes (gloo), and the helpers' errors."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from ddp_worker import digest  # beside this file

from ganpipe.models import build_models
from ganpipe.params import TrainParams
from ganpipe.train import distributed
from ganpipe.train.distributed import Rank
from ganpipe.train.loop import training_loop
from ganpipe.train.run import TrainPaths

HERE = Path(__file__).resolve().parent
TINY = TrainParams(
    g_channels=16,
    d_channels=8,
    z_dim=16,
    batch_size=8,
    total_kimg=0.064,
    tick_kimg=0.016,
    snapshot_kimg=0.032,
    ema_kimg=0.05,
    threads=1,
    device="cpu",
)


def torchrun(stage: Path, out: Path, p: TrainParams) -> dict[int, dict]:
    """Run stages/train.py on 2 processes; return each rank's report (ddp_worker.py)."""
    params = out / "params.yaml"
    out.mkdir(parents=True, exist_ok=True)
    params.write_text(
        yaml.safe_dump(
            {
                "train": dataclasses.asdict(p),
                "scrape": {"sources": [{"kind": "dataset", "name": "mnist"}]},
                "classifier": {"holdout": 0.2},
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if k not in ("WORLD_SIZE", "RANK", "LOCAL_RANK")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node",
            "2",
            str(HERE / "ddp_worker.py"),
            str(out),
            "--params",
            str(params),
            "--inp",
            str(stage),
            "--models",
            str(out / "models"),
            "--live",
            str(out / "live"),
            "--metrics",
            str(out / "train.json"),
            "--classifier",
            str(out / "none.pt"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {r: json.loads((out / f"rank{r}.json").read_text()) for r in (0, 1)}


def test_torchrun_two_processes_write_once_and_stay_identical(
    tiny_stage: Path, tmp_path: Path
) -> None:
    p = dataclasses.replace(TINY, d_steps=2, feature_matching=1.0, diffaugment="color,cutout")
    reports = torchrun(tiny_stage, tmp_path, p)
    models = tmp_path / "models"
    assert reports[1]["saved"] == []  # rank 1 writes nothing
    assert reports[0]["saved"].count(str(models / "generator.pt")) == 1
    assert reports[0]["saved"].count(str(models / "train" / "checkpoint.pt")) == 2
    assert reports[0]["G"] == reports[1]["G"] and reports[0]["G_ema"] == reports[1]["G_ema"]
    state = torch.load(models / "train" / "checkpoint.pt", weights_only=True)
    names = [n for n, _ in build_models(p, 28, 1, 2)[0].named_parameters()]
    assert digest({n: state["G"][n] for n in names}) == reports[0]["G"]
    assert digest({n: state["G_ema"][n] for n in names}) == reports[0]["G_ema"]
    assert (
        len(
            (tmp_path / "live" / "plots" / "metrics" / "train" / "loss_g.tsv")
            .read_text()
            .splitlines()
        )
        == 1 + 4
    )


def test_two_processes_compute_what_one_computes(tiny_stage: Path, tmp_path: Path) -> None:
    """Same draws, same augmentations, averaged gradients: one process with the global batch.

    G without BatchNorm: per-process batch statistics are the one intended difference.
    """
    p = dataclasses.replace(
        TINY,
        g_batchnorm=False,
        d_steps=2,
        balanced_sampling=True,
        diffaugment="color,translation,cutout",
        amp=False,  # fp32: bf16 autocast (native-bf16 CPUs) rounds beyond these tolerances
    )
    torchrun(tiny_stage, tmp_path / "ddp", p)
    one = tmp_path / "one"
    training_loop(TrainPaths.in_folder(tiny_stage, one), p, holdout=0.2)
    a, b = (
        torch.load(run / "models" / "train" / "checkpoint.pt", weights_only=True)
        for run in (tmp_path / "ddp", one)
    )
    for key in ("G", "D"):
        for name, tensor in a[key].items():
            torch.testing.assert_close(tensor, b[key][name], atol=2e-5, rtol=1e-4)
    for row_a, row_b in zip(a["history"], b["history"], strict=True):
        assert row_a["loss_d"] == pytest.approx(row_b["loss_d"], abs=1e-4)


def test_from_env_reads_torchrun_variables() -> None:
    assert distributed.from_env({}) == Rank(0, 1, 0)
    assert distributed.from_env({"WORLD_SIZE": "4", "RANK": "3", "LOCAL_RANK": "1"}) == Rank(
        3, 4, 1
    )
    with pytest.raises(ValueError, match=r"RANK=4 is outside 0\.\.WORLD_SIZE-1=3"):
        distributed.from_env({"WORLD_SIZE": "4", "RANK": "4"})


def test_global_batch_must_split_evenly() -> None:
    assert distributed.local_batch(64, Rank(1, 4, 1)) == 16
    assert Rank(1, 4, 1).rows(16) == slice(16, 32)
    with pytest.raises(
        ValueError,
        match=r"train.batch_size 63 is the global batch and must "
        r"split into 2 equal .* e\.g\. 64",
    ):
        distributed.local_batch(63, Rank(0, 2, 0))
    with pytest.raises(ValueError, match=r"at least 2 images"):
        distributed.local_batch(4, Rank(0, 4, 0))


def test_sync_batchnorm_needs_cuda_when_distributed() -> None:
    G = build_models(TINY, 28, 1, 2)[0]
    assert distributed.sync_batchnorm(G, Rank(), torch.device("cpu")) is G
    with pytest.raises(ValueError, match=r"train\.sync_batchnorm needs CUDA devices"):
        distributed.sync_batchnorm(G, Rank(0, 2, 0), torch.device("cpu"))
    synced = distributed.sync_batchnorm(G, Rank(0, 2, 0), torch.device("cuda"))
    assert any(isinstance(m, torch.nn.SyncBatchNorm) for m in synced.modules())


def test_devices_that_cannot_train_distributed_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with (
        pytest.raises(
            ValueError,
            match=r"LOCAL_RANK=1 has no GPU: this machine has 1; start "
            r"at most that many processes per node",
        ),
        distributed.process_group(Rank(1, 2, 1), torch.device("cuda")),
    ):
        pass
    with (
        pytest.raises(ValueError, match=r"train\.device 'mps' cannot train distributed"),
        distributed.process_group(Rank(0, 2, 0), torch.device("mps")),
    ):
        pass
