"""The training loop: it trains, exports, resumes exactly after kill -9, and stops on NaN."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

from ganpipe.data import load_image_set, split_holdout
from ganpipe.params import TrainParams
from ganpipe.train import losses as losses_module
from ganpipe.train.loop import TrainingDiverged, training_loop
from ganpipe.train.run import TrainPaths

REPO = Path(__file__).resolve().parents[3]
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
)


def train(stage: Path, out: Path, p: TrainParams = TINY) -> dict:
    return training_loop(TrainPaths.in_folder(stage, out), p, holdout=0.2)


def weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)["state_dict"]


def test_trains_and_exports_everything(tiny_stage: Path, tmp_path: Path) -> None:
    result = train(tiny_stage, tmp_path)
    models = tmp_path / "models"
    assert (models / "generator.pt").exists() and (models / "generator_best.pt").exists()
    assert sorted(p.name for p in (models / "train" / "grids").iterdir()) == [
        "kimg000000.0.png",
        "kimg000000.1.png",
    ]  # kimg 0.032 and 0.064, one decimal
    summary = json.loads((tmp_path / "train.json").read_text())
    assert summary["kimg"] == pytest.approx(0.064)
    assert len(result["history"]) == 4  # one row per tick
    loss_curve = tmp_path / "live" / "plots" / "metrics" / "train" / "loss_g.tsv"
    assert len(loss_curve.read_text().splitlines()) == 1 + 4


def test_max_minutes_stops_at_the_first_tick_past_the_budget_and_exports(
    tiny_stage: Path, tmp_path: Path
) -> None:
    result = train(tiny_stage, tmp_path, dataclasses.replace(TINY, max_minutes=1e-9))
    assert result["summary"]["kimg"] == pytest.approx(0.016)  # the first tick
    assert (tmp_path / "models" / "generator.pt").exists()
    state = torch.load(tmp_path / "models" / "train" / "checkpoint.pt", weights_only=True)
    assert state["cur_nimg"] == 16 and state["train_seconds"] > 0


def test_checkpoints_and_exports_load_without_pickle(tiny_stage: Path, tmp_path: Path) -> None:
    train(tiny_stage, tmp_path)
    models = tmp_path / "models"
    state = torch.load(models / "train" / "checkpoint.pt", weights_only=True)
    assert state["cur_nimg"] == 64 and isinstance(state["rng"]["numpy"]["keys"], torch.Tensor)
    export = torch.load(models / "generator.pt", weights_only=True)
    assert export["classes"] == ["bar", "low"] and export["params"]["z_dim"] == 16


def test_one_row_per_completed_epoch(tiny_stage: Path, tmp_path: Path) -> None:
    result = train(tiny_stage, tmp_path, dataclasses.replace(TINY, total_kimg=0.16))
    n_train = len(split_holdout(load_image_set(tiny_stage), 0.2)[0].labels)
    lines = (tmp_path / "live" / "epochs.tsv").read_text().splitlines()
    assert lines[0].split("\t") == [
        "epoch",
        "kimg",
        "loss_d",
        "loss_g",
        "d_real_acc",
        "d_fake_acc",
        "class_acc_real",
    ]
    assert [int(line.split("\t")[0]) for line in lines[1:]] == list(range(1, 160 // n_train + 1))
    assert len(result["epochs"]) == 160 // n_train >= 2
    assert all(0 <= row["d_real_acc"] <= 1 for row in result["epochs"])


def test_same_seed_same_weights(tiny_stage: Path, tmp_path: Path) -> None:
    train(tiny_stage, tmp_path / "a")
    train(tiny_stage, tmp_path / "b")
    a, b = (weights(tmp_path / r / "models" / "generator.pt") for r in "ab")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_changed_params_start_fresh(
    tiny_stage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train(tiny_stage, tmp_path)
    train(tiny_stage, tmp_path, dataclasses.replace(TINY, lr_g=1e-4))
    assert "params or data changed" in capsys.readouterr().out


def test_finished_run_trains_again_when_rerun(
    tiny_stage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DVC re-runs a finished train stage after a code change (deleting its DVCLive output
    first): that must train again, not resume at the end and write no logs."""
    first = train(tiny_stage, tmp_path)
    before = weights(tmp_path / "models" / "generator.pt")
    shutil.rmtree(tmp_path / "live")
    again = train(tiny_stage, tmp_path)
    assert "is a finished run (0.1 kimg); training again from the start" in (
        capsys.readouterr().out
    )
    assert len(again["history"]) == len(first["history"])
    assert (tmp_path / "live" / "plots" / "metrics" / "train" / "loss_d.tsv").exists()
    after = weights(tmp_path / "models" / "generator.pt")
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_nan_stops_with_message_and_keeps_checkpoint(
    tiny_stage: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_loss = losses_module.g_adversarial

    def poisoned(logit: torch.Tensor, kind: str) -> torch.Tensor:
        calls["n"] += 1
        return real_loss(logit, kind) * (float("nan") if calls["n"] > 6 else 1.0)

    monkeypatch.setattr(losses_module, "g_adversarial", poisoned)
    with pytest.raises(TrainingDiverged, match=r"loss became non-finite at 0\.1 kimg"):
        train(tiny_stage, tmp_path, dataclasses.replace(TINY, total_kimg=0.128))
    state = torch.load(tmp_path / "models" / "train" / "checkpoint.pt", weights_only=True)
    assert state["cur_nimg"] == 32  # the snapshot before the NaN


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


@pytest.mark.parametrize(
    "option",
    [
        {"loss": "hinge"},
        {"diffaugment": "color,translation,cutout"},
        {"feature_matching": 1.0, "d_steps": 2},
        {"class_conditional": False},
        {"balanced_sampling": True},
        {"arch": "seed-emnist"},
        {"d_head": "ssl"},
        {"d_head": "ssl", "loss": "hinge", "feature_matching": 1.0, "d_spectral_norm": True},
        {"d_head": "ssl", "labelled_fraction": 0.25},
        {"d_head": "projection", "loss": "hinge", "d_spectral_norm": True},
        {"arch": "resnet", "conditioning": "cbn", "d_head": "reacgan", "aux_weight": 0.5},
        {"ada_target": 0.6, "ada_kimg": 0.1, "ada_ops": "xflip,rotate90,scale,color,cutout"},
    ],
)
def test_options_train(tiny_stage: Path, tmp_path: Path, option: dict) -> None:
    result = train(tiny_stage, tmp_path, dataclasses.replace(TINY, **option))
    assert (tmp_path / "models" / "generator.pt").exists()
    # a D without a classifier (unconditional, projection) has no class accuracy: NaN, and
    # none in the summary (metrics/train.json stays valid JSON)
    no_classifier = option.get("class_conditional") is False or option.get("d_head") == "projection"
    for row in result["history"]:
        measured = {k: v for k, v in row.items() if k != "class_acc_real"}
        assert torch.isfinite(torch.tensor(list(measured.values()))).all()
        assert math.isnan(row["class_acc_real"]) == no_classifier
    assert ("final_class_acc_real" in result["summary"]) != no_classifier
    json.loads((tmp_path / "train.json").read_text(), parse_constant=_no_constants)


def test_compile_option_compiles_g_and_d(
    tiny_stage: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[str] = []

    def fake_compile(model: torch.nn.Module) -> torch.nn.Module:
        compiled.append(type(model).__name__)
        return model

    monkeypatch.setattr(torch, "compile", fake_compile)
    train(tiny_stage, tmp_path, dataclasses.replace(TINY, compile=True, total_kimg=0.016))
    assert compiled == ["Generator", "Discriminator"]


def _stage_cmd(params: Path, out: Path, stage: Path) -> list[str]:
    return [
        sys.executable,
        str(REPO / "stages" / "train.py"),
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
    ]


def curves(run: Path) -> dict[str, list[list[str]]]:
    """Every DVCLive curve and the DVCLive summary, less the speed's values (timings differ)."""
    plots = run / "live" / "plots" / "metrics"
    out = {
        str(f.relative_to(plots)): [line.split("\t") for line in f.read_text().splitlines()]
        for f in sorted(plots.rglob("*.tsv"))
    }
    out["images_per_s"] = [row[:1] for row in out.pop("train/images_per_s.tsv")]
    summary = json.loads((run / "live" / "metrics.json").read_text())
    del summary["train"]["images_per_s"]
    return {**out, "metrics.json": summary}


def test_kill_9_then_rerun_resumes_exactly(tiny_stage: Path, tmp_path: Path) -> None:
    """Killed after logging a tick its last checkpoint does not hold, the resumed run still
    ends with the uninterrupted run's weights, curves, summary and epochs, row for row."""
    p = {
        "train": {
            **dataclasses.asdict(TINY),
            "total_kimg": 1.6,
            "snapshot_kimg": 0.16,
            "tick_kimg": 0.08,
            # ADA's p changes what D sees from step to step: it must resume exactly too
            "ada_target": 0.6,
            "ada_kimg": 0.5,
            "ada_interval": 2,
        },
        "scrape": {"sources": [{"kind": "dataset", "name": "mnist"}]},
    }
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump(p))
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    subprocess.run(_stage_cmd(params, straight, tiny_stage), check=True, capture_output=True)

    proc = subprocess.Popen(
        _stage_cmd(params, killed, tiny_stage), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    curve = killed / "live" / "plots" / "metrics" / "train" / "loss_d.tsv"
    ticks = 0
    deadline = time.monotonic() + 120
    while ticks < 1 + 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # until the tick after the first checkpoint (0.16 kimg) is logged
        ticks = len(curve.read_text().splitlines()) if curve.exists() else 0
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "training finished before it could be killed"
    checkpoint = torch.load(killed / "models" / "train" / "checkpoint.pt", weights_only=True)
    logged = len(curve.read_text().splitlines()) - 1
    assert logged > len(checkpoint["history"]), "the kill must land after an unsaved tick"
    resumed = subprocess.run(_stage_cmd(params, killed, tiny_stage), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from" in resumed.stdout
    a = weights(straight / "models" / "generator.pt")
    b = weights(killed / "models" / "generator.pt")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert curves(killed) == curves(straight)
    assert len(curves(straight)["train/loss_d.tsv"]) == 1 + 20  # a header and 20 ticks
    epochs = [(run / "live" / "epochs.tsv").read_text() for run in (straight, killed)]
    assert epochs[0] == epochs[1] and len(epochs[0].splitlines()) > 10
    curve = Path("plots", "metrics", "train", "ada_p.tsv")  # DVCLive's curve of p per tick
    ada_p = [(run / "live" / curve).read_text() for run in (straight, killed)]
    assert ada_p[0] == ada_p[1]
    assert max(float(line.split("\t")[-1]) for line in ada_p[0].splitlines()[1:]) > 0
