"""Where training time goes: a step's CPU time by kind of op, and the loop's time by phase.

Part 1 profiles full training steps (ganpipe.train.step, D then G, with the EMA update and the
model's DiffAugment as the loop runs them) of the default model (28 px grey) and the
small-colour default (presets/isic.yaml, 64 px RGB) under torch.profiler, and sums each op's
self CPU time into kinds: convolutions, matmuls, spectral norm's power iteration, BatchNorm,
activations, upsampling, the optimizer, the EMA, augmentation, copies and layout changes, and
the rest (Python and dispatch overhead lies between ops: it is the step's wall time less the
ops' time).

Part 2 runs the real training loop (ganpipe.train.training_loop) for ``--kimg`` on a stage
directory (``--data``, default a synthetic 28 px one) and times its phases: steps, ticks,
epochs, and each snapshot's standing statistics, grid, score (domain Fréchet distance, with
``--classifier``) and checkpoint. Run from the repository root on a quiet machine (or under
``chrt -f 10``); the last line is JSON with every share.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train import benchmark_models, cpu_name, make_step, synthetic_stage

from ganpipe.train import loop, snapshot
from ganpipe.train.diffaugment import diff_augment
from ganpipe.train.run import TrainPaths

KINDS = {  # op-name fragments, first match wins
    "upsampling": ("upsample",),
    "convolution": ("convolution",),
    "spectral norm": ("mv", "linalg_vector_norm", "dot", "_weight_norm"),
    "matmul": ("mm", "linear", "matmul"),
    "batchnorm": ("batch_norm",),
    "activations": ("relu", "threshold", "tanh", "clamp", "sigmoid"),
    "copies and layout": ("copy", "contiguous", "clone", "cat", "to_copy", "empty", "resize"),
}
SCOPES = ("optimizer", "ema", "augment")  # record_function labels that claim all ops inside


def kind_of(name: str) -> str:
    short = name.removeprefix("aten::")
    return next((k for k, parts in KINDS.items() if any(p in short for p in parts)), "other ops")


def scope_of(event: Any) -> str | None:
    """The labelled region (or Adam's step) an op runs in, if any."""
    while event is not None:
        if event.name.startswith("Optimizer."):
            return "optimizer"
        if event.name in SCOPES:
            return event.name
        event = event.cpu_parent
    return None


def profiled_step(name: str) -> Callable[[], None]:
    """The benchmark's step (EMA included) with the model's DiffAugment, as the loop runs it."""
    p, image = benchmark_models(False)[name]
    g = torch.Generator().manual_seed(0)
    return make_step(
        p, torch.device("cpu"), image=image, augment=lambda x: diff_augment(x, p.diffaugment, g)
    )


def step_breakdown(name: str, steps: int) -> dict[str, float]:
    """Shares of a step's wall time by kind of op (and the time between ops)."""
    step = profiled_step(name)
    for _ in range(3):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        for _ in range(steps):
            step()
        wall = time.perf_counter() - start
    seconds: dict[str, float] = defaultdict(float)
    for event in prof.events():
        if event.name.startswith("aten::"):
            seconds[scope_of(event) or kind_of(event.name)] += event.self_cpu_time_total / 1e6
    ops = sum(seconds.values())
    # an op's self CPU time is its time on the thread that dispatched it (its OpenMP workers
    # run meanwhile), so the ops' sum is wall time, and the rest of the step lies between them
    seconds["Python and dispatch (between ops)"] = max(wall - ops, 0)
    total = sum(seconds.values())
    shares = {k: v / total for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])}
    print(f"\n{name}: {wall / steps * 1000:.0f} ms a step")
    for kind, share in shares.items():
        print(f"  {kind:34s} {share:6.1%}")
    return {k: round(v, 4) for k, v in shares.items()}


@contextlib.contextmanager
def timed(module: Any, names: list[str], seconds: dict[str, float]) -> Iterator[None]:
    """Wrap ``module.<name>`` for each name with a timer adding to ``seconds[name]``."""
    originals = {n: getattr(module, n) for n in names}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - start

        return timed_call

    for n, fn in originals.items():
        setattr(module, n, wrap(n, fn))
    try:
        yield
    finally:
        for n, fn in originals.items():
            setattr(module, n, fn)


def loop_breakdown(args: argparse.Namespace) -> dict[str, float]:
    """Shares of the training loop's wall time by phase, on real or synthetic data."""
    p = benchmark_models(False)["28px"][0]
    kimg = args.kimg
    p = dataclasses.replace(
        p, total_kimg=kimg, tick_kimg=args.tick_kimg, snapshot_kimg=args.snapshot_kimg
    )
    seconds: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory(prefix="ganpipe-profile-") as tmp:
        root = Path(tmp)
        data = args.data or synthetic_stage(root / "stage")
        start = time.perf_counter()
        with (
            timed(loop, ["step", "tick", "epoch", "snapshot", "with_standing_statistics"], seconds),
            timed(loop, ["save_grid_png"], seconds),
            timed(snapshot.Scorer, ["score"], seconds),
            timed(loop.Run, ["save_checkpoint"], seconds),
        ):
            paths = TrainPaths.in_folder(data, root, args.classifier)
            loop.training_loop(paths, p, holdout=0.1)
        wall = time.perf_counter() - start
    phases = {
        "steps": seconds["step"],
        "snapshot: standing statistics": seconds["with_standing_statistics"],
        "snapshot: grid": seconds["save_grid_png"],
        "snapshot: score (domain FD)": seconds["score"],
        "snapshot: checkpoint": seconds["save_checkpoint"],
        "ticks (status, DVCLive)": seconds["tick"],
        "epochs": seconds["epoch"],
    }
    phases["setup, export and the rest"] = wall - sum(phases.values())
    print(f"\nloop: {kimg} kimg in {wall:.1f} s ({kimg * 1000 / wall:.0f} img/s overall)")
    for phase, s in phases.items():
        print(f"  {phase:34s} {s:7.1f} s {s / wall:6.1%}")
    loop_rate = kimg * 1000 / wall
    step_rate = kimg * 1000 / seconds["step"]
    print(f"  loop img/s over step img/s: {loop_rate / step_rate:.2f}")
    return {
        **{k: round(v / wall, 4) for k, v in phases.items()},
        "loop_to_step": round(loop_rate / step_rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="profiled steps per model")
    parser.add_argument("--kimg", type=float, default=50.0, help="loop length")
    parser.add_argument("--tick-kimg", type=float, default=5.0)
    parser.add_argument("--snapshot-kimg", type=float, default=25.0)
    parser.add_argument("--data", type=Path, help="a stage directory (default: synthetic)")
    parser.add_argument("--classifier", type=Path, help="models/classifier.pt, for scoring")
    args = parser.parse_args()
    out: dict[str, Any] = {"cpu": cpu_name(), "threads": torch.get_num_threads()}
    for name in ("28px", "64px-rgb"):
        out[f"step/{name}"] = step_breakdown(name, args.steps if name == "28px" else 3)
    out["loop"] = loop_breakdown(args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
