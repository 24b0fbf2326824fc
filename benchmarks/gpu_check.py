"""Short CUDA training loops, one per architecture x D head, with AMP (benchmarks/gpu_check.sh).

Each runs the real training loop (ganpipe.train.training_loop) for ``--kimg`` on a synthetic
stage of ``--size`` px RGB images, on ``--device`` (cuda; cpu checks the script itself), and
reports its img/s, whether bf16 autocast was on, and whether the losses stayed finite and the
generators were exported. Exits 1 if any run failed. Last line: JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train import synthetic_stage

from ganpipe.params import TrainParams
from ganpipe.train.device import speedups
from ganpipe.train.loop import training_loop
from ganpipe.train.run import TrainPaths

ARCHS = ("dcgan", "resnet")
HEADS = ("acgan", "ssl", "projection", "projection-ac", "reacgan")


def check(stage: Path, out: Path, p: TrainParams) -> dict[str, Any]:
    """One short run: its speed and whether it trained and exported."""
    start = time.perf_counter()
    try:
        result = training_loop(TrainPaths.in_folder(stage, out), p, holdout=0.1)
    except Exception as error:  # a report of every combination, not the first failure only
        traceback.print_exc()
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    seconds = time.perf_counter() - start
    exported = all((out / "models" / n).exists() for n in ("generator.pt", "generator_best.pt"))
    finite = all(
        abs(row["loss_d"]) < float("inf") and abs(row["loss_g"]) < float("inf")
        for row in result["history"]
    )
    return {
        "ok": exported and finite,
        "img_s": round(result["summary"]["kimg"] * 1000 / seconds, 1),
        "amp": speedups(p, torch.device(p.device)).amp,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--kimg", type=float, default=20.0, help="training length of each run")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--only", nargs="*", help="arch:head pairs (default: all ten)")
    args = parser.parse_args()
    pairs = (
        [tuple(s.split(":")) for s in args.only]
        if args.only
        else [(a, h) for a in ARCHS for h in HEADS]
    )
    report: dict[str, Any] = {"device": args.device}
    if args.device == "cuda":
        report["gpu"] = torch.cuda.get_device_name()
    with tempfile.TemporaryDirectory(prefix="ganpipe-gpu-check-") as tmp:
        root = Path(tmp)
        stage = synthetic_stage(root / "stage", 4, 64, size=args.size, channels=3)
        for arch, head in pairs:
            p = TrainParams(
                arch=arch,
                d_head=head,
                loss="hinge",
                d_spectral_norm=True,
                diffaugment="color,translation",
                device=args.device,
                batch_size=args.batch,
                total_kimg=args.kimg,
                tick_kimg=args.kimg / 2,
                snapshot_kimg=args.kimg,
                g_channels=64,
                d_channels=32,
            )
            p = dataclasses.replace(p, aux_weight=0.5) if head == "reacgan" else p
            result = check(stage, root / f"{arch}-{head}", p)
            print(f"{arch} x {head}: {result}")
            report[f"{arch}:{head}"] = result
    print(json.dumps(report))
    if not all(r["ok"] for k, r in report.items() if ":" in k):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
