"""What each preset's training costs: CPU images/s of its model, and hours for its total_kimg.

For every presets/*.yaml, builds the preset's G and D at its image size and channels and times
full training steps (benchmarks/train.py's ``make_step``: the loop's own D and G steps, no
DiffAugment, sampling or EMA) in turn with the default model's (the fashion-mnist preset). On a
shared machine absolute rates mean little, but the ratio of the two holds; times to
``total_kimg`` are then

* CPU: ratio x the default model's rate in the real loop on an idle 2-core machine
  (``--idle-default``, img/s; the median of the baseline run's images/s curve);
* GPU: ratio of FLOPs per image x the H100's rate for the default model (``--h100-default``,
  img/s at batch 4096 with bf16 AMP, measured with ``benchmarks/train.py --device cuda``).
  Compute-bound, so a lower bound on time: the presets' own batches (32-128) do not fill a GPU.

Last line: JSON, one entry per preset.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode
from train import make_step

from ganpipe.params import TrainParams, load_all
from ganpipe.scrape.datasets import SPECS

PRESETS = Path(__file__).resolve().parents[1] / "presets"
DEFAULT = "fashion-mnist"
Step = Callable[[], None]
Rates = tuple[float, float]


def cpu_name() -> str:
    """The CPU's model name (Linux), as ``lscpu`` shows it."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.processor() or "unknown"


def class_count(params: dict[str, Any]) -> int | None:
    """Classes the preset's sources name, when the params say (else the data decides)."""
    scrape, train = params["scrape"], params["train"]
    if not train.class_conditional:
        return 1
    if scrape.classes:
        return len(scrape.classes)
    names: set[str] = set()
    for source in scrape.sources:
        if source.kind == "dataset" and source.name:
            names |= set(SPECS[source.name].classes)
        names |= set(source.queries)
    return len(names) or None


def paired_rates(step: Step, batch: int, base: Step, base_batch: int, seconds: float) -> Rates:
    """Images/s of a preset's steps and of the default model's, stepped in turn (A B A B ...)
    for about ``seconds``, so a busy spell of a shared machine slows both alike."""
    spent = [0.0, 0.0]
    turns = 0
    while turns < 3 or sum(spent) < seconds:
        for i, run in enumerate((step, base)):
            start = time.perf_counter()
            run()
            spent[i] += time.perf_counter() - start
        turns += 1
    return turns * batch / spent[0], turns * base_batch / spent[1]


def setup(path: Path) -> tuple[TrainParams, tuple[int, int], int | None, Step, float]:
    """The preset's train params, (size, channels), classes, a step, and FLOPs per image."""
    params = load_all(path)
    p = params["train"]
    image = (params["resize"].image_size, 1 if params["reduce"].mode == "L" else 3)
    classes = class_count(params)
    step = make_step(p, torch.device("cpu"), image=image, classes=classes or 10)
    with FlopCounterMode(display=False) as counter:
        step()
    return p, image, classes, step, counter.get_total_flops() / p.batch_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="timed per preset")
    parser.add_argument("--idle-default", type=float, default=730.0)
    parser.add_argument("--h100-default", type=float, default=161_000.0)
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}")
    base_p, _, _, base, base_flops = setup(PRESETS / f"{DEFAULT}.yaml")
    print(
        f"{'preset':16} {'image':>7} {'cls':>4} {'MFLOP/img':>9} {'img/s':>6} {'default':>7}"
        f" {'ratio':>6} {'kimg':>6} {'CPU h':>6} {'GPU min':>7}",
        flush=True,
    )
    out = {}
    for path in sorted(PRESETS.glob("*.yaml")):
        p, (size, channels), classes, step, flops = setup(path)
        rate, base_rate = paired_rates(step, p.batch_size, base, base_p.batch_size, args.seconds)
        ratio = rate / base_rate
        cpu_hours = p.total_kimg * 1000 / (ratio * args.idle_default) / 3600
        gpu_minutes = p.total_kimg * 1000 / (args.h100_default * base_flops / flops) / 60
        out[path.stem] = {
            "image": f"{size}x{size}x{channels}",
            "classes": classes,
            "mflop_per_image": round(flops / 1e6, 1),
            "images_per_s_here": round(rate, 1),
            "ratio_to_default": round(ratio, 4),
            "total_kimg": p.total_kimg,
            "cpu_hours_idle_2_cores": round(cpu_hours, 2),
            "gpu_minutes_h100_estimate": round(gpu_minutes, 1),
        }
        print(
            f"{path.stem:16} {size:>4}x{channels} {classes or '?':>4} {flops / 1e6:>9.1f} "
            f"{rate:>6.0f} {base_rate:>7.0f} {ratio:>6.3f} {p.total_kimg:>6g} {cpu_hours:>6.2f} "
            f"{gpu_minutes:>7.1f}",
            flush=True,
        )
    print(json.dumps({"cpu": cpu_name(), "presets": out}))


if __name__ == "__main__":
    main()
